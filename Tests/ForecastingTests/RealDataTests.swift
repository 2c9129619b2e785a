import Foundation
import Testing
@testable import Forecasting

/// Checks on the shared data sets; each skips with a note when its file is absent.
@Suite struct RealDataTests {
    let crime = sharedData + "/crime"

    func schema(_ format: String) throws -> IntakeSchema {
        try IntakeSchema.load(path: repositoryRoot.appendingPathComponent("schemas/forecast-\(format).json").path)
    }

    @Test func portlandCallsForService() throws {
        let path = "\(crime)/portland_nij/calls_2016-08-01_2016-09-15.csv"
        guard FileManager.default.fileExists(atPath: path) else { print("skipping: \(path) not present"); return }
        let set = try Intake.read(path: path, schema: try schema("portland-nij"))
        #expect(set.incidents.count == 28_369)
        #expect(set.rejections.count == 1 && set.rejections[0].line == 19_377 && set.rejections[0].column == "occ_date")
        #expect(set.incidents.filter { $0.origin == .policeDiscovered }.count > 1_000)
        #expect(set.incidents.allSatisfy { $0.district != nil })
    }

    @Test func westYorkshireStreetCrime() throws {
        let path = "\(crime)/uk_west_yorkshire/2016-07-west-yorkshire-street.csv"
        guard FileManager.default.fileExists(atPath: path) else { print("skipping: \(path) not present"); return }
        let set = try Intake.read(path: path, schema: try schema("police-uk"))
        #expect(set.incidents.count + set.rejections.count == 27_176)
        #expect(set.rejections.allSatisfy { $0.column == "Longitude" && $0.reason.contains("no location") })
        #expect(set.incidents.allSatisfy { $0.days == 31 })
        #expect(Set(set.incidents.compactMap(\.district)).contains("Leeds"))
    }

    @Test func form1MRegionalTotals() throws {
        let path = "\(crime)/kz_form1M_by_region/comb_total_by_region.csv"
        guard FileManager.default.fileExists(atPath: path) else { print("skipping: \(path) not present"); return }
        let s = try RegionalSchema.load(path: repositoryRoot.appendingPathComponent("schemas/forecast-kz-form1m.json").path)
        let r = try RegionalStatistics.read(path: path, schema: s)
        #expect(r.counts.count == 19)
        #expect(r.rejections.count == 1 && r.rejections[0].line == 5 && r.rejections[0].reason.contains("Zhetysu"))
        #expect(r.counts.first { $0.kato == "750000000" }?.count == 39_928)
    }
}
