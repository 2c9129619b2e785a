import Foundation
import Testing
@testable import Forecasting

@Suite struct IntakeTests {
    @Test func goodRowsBecomeIncidents() throws {
        let set = try parse("""
            date,x,y,type,area
            2016-08-01,100.5,200,BURG,north
            2016-08-02,"300",400,CHECK,south
            """)
        #expect(set.rejections.isEmpty)
        #expect(set.incidents.count == 2)
        #expect(set.incidents[0].category == "burglary" && set.incidents[0].origin == .reported)
        #expect(set.incidents[0].day == CivilDay.parse("2016-08-01")! && set.incidents[0].days == 1)
        #expect(set.incidents[1].category == "suspicious" && set.incidents[1].origin == .policeDiscovered)
        #expect(set.incidents[1].district == "south")
        #expect(set.files[0].accepted == 2 && set.files[0].sha256.count == 64)
    }

    @Test func badRowsAreRejectedWithLineColumnAndReason() throws {
        let set = try parse("""
            date,x,y,type,area
            2016-02-30,1,1,BURG,a
            16/08/2016,1,1,BURG,a
            ,1,1,BURG,a
            2016-08-01,abc,1,BURG,a
            2016-08-01,1,nan,BURG,a
            2016-08-01,,1,BURG,a
            2016-08-01,99999,1,BURG,a
            2016-08-01,1,1,ARSON,a
            2016-08-01,1,1,BURG
            2016-08-01,5,5,BURG,a
            """, file: "calls.csv")
        #expect(set.incidents.count == 1)
        let r = set.rejections
        #expect(r.count == 9)
        #expect(r.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(r.map { $0.column ?? "-" } == ["date", "date", "date", "x", "y", "x", "x", "type", "-"])
        #expect(r[0].value == "2016-02-30" && r[0].reason.contains("YYYY-MM-DD"))
        #expect(r[3].reason == "not a finite number")
        #expect(r[5].reason.contains("empty"))
        #expect(r[6].reason.contains("bounds"))
        #expect(r[7].value == "ARSON" && r[7].reason.contains("no mapping"))
        #expect(r[8].reason.contains("fields"))
        #expect(r.allSatisfy { $0.file == "calls.csv" })
        #expect(r[0].description.hasPrefix("calls.csv, line 2, column 'date'"))
    }

    @Test func missingColumnIsAnErrorNamingIt() {
        do {
            _ = try parse("date,y,type,area\n2016-08-01,1,BURG,a\n", file: "short.csv")
            Issue.record("expected an error")
        } catch let error as IntakeError {
            #expect(error.file == "short.csv" && error.line == 1 && error.column == "x")
            #expect(error.description.contains("required column 'x' is missing"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func brokenCSVIsAnErrorWithItsLine() {
        do {
            _ = try parse("date,x,y,type,area\n2016-08-01,1,1,BURG,a\n2016-08-01,\"1,1,BURG,a\n", file: "broken.csv")
            Issue.record("expected an error")
        } catch let error as IntakeError {
            #expect(error.line == 3)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func monthlyDatesCoverTheWholeMonth() throws {
        let json = testSchemaJSON.replacingOccurrences(of: "\"YYYY-MM-DD\"", with: "\"YYYY-MM\"")
        var schema = try IntakeSchema.decode(Data(json.utf8), file: "s.json")
        schema.district = .init(label: "local authority", transform: "drop-last-word")
        let set = try Intake.parse(bytes: Array("date,x,y,type,area\n2016-02,1,1,BURG,Leeds 111B\n2016-13,1,1,BURG,x\n".utf8),
                                   file: "m.csv", schema: schema)
        #expect(set.incidents.count == 1 && set.incidents[0].days == 29 && set.incidents[0].district == "Leeds")
        #expect(set.rejections.count == 1 && set.rejections[0].reason.contains("YYYY-MM"))
    }

    @Test func schemaProblemsNameTheField() {
        let bad = testSchemaJSON.replacingOccurrences(of: "\"CHECK\": \"suspicious\"", with: "\"CHECK\": \"loitering\"")
        #expect(throws: IntakeError.self) { try IntakeSchema.decode(Data(bad.utf8), file: "s.json") }
        do { _ = try IntakeSchema.decode(Data(bad.utf8), file: "s.json") } catch {
            #expect(error.message.contains("categories.CHECK"))
        }
        let missing = testSchemaJSON.replacingOccurrences(of: "\"x\": \"x\", ", with: "")
        do { _ = try IntakeSchema.decode(Data(missing.utf8), file: "s.json"); Issue.record("expected an error") } catch {
            #expect(error.column == "columns.x")
        }
    }

    @Test func shippedSchemasMapOntoTheTaxonomy() throws {
        for format in ["portland-nij", "police-uk"] {
            let path = repositoryRoot.appendingPathComponent("schemas/forecast-\(format).json").path
            let s = try IntakeSchema.load(path: path)
            #expect(s.format == format)
            #expect(s.problems().isEmpty)
            #expect(s.categories.values.allSatisfy(OffenceTaxonomy.isKnown))
        }
        let uk = try IntakeSchema.load(path: repositoryRoot.appendingPathComponent("schemas/forecast-police-uk.json").path)
        #expect(uk.categories["Violence and sexual offences"] == "violence")
        #expect(uk.categories["Vehicle crime"] == "theft.vehicle")
        let pdx = try IntakeSchema.load(path: repositoryRoot.appendingPathComponent("schemas/forecast-portland-nij.json").path)
        #expect(pdx.categories["BURGP"] == "burglary" && pdx.categories["VEHSTP"] == "theft.vehicle")
        #expect(pdx.crs == .projected(name: pdx.coordinates.name!, metresPerUnit: 0.3048))
        #expect(SchemaLocator.find(format: "portland-nij", from: [repositoryRoot.appendingPathComponent("Sources").path]) != nil)
        #expect(SchemaLocator.find(format: "../etc", from: [repositoryRoot.path]) == nil)
    }

    @Test func taxonomyMatchingAndValidation() {
        #expect(OffenceTaxonomy.matches("theft.vehicle", query: "theft"))
        #expect(OffenceTaxonomy.matches("theft", query: "theft"))
        #expect(!OffenceTaxonomy.matches("theftx", query: "theft"))
        #expect(!OffenceTaxonomy.matches("theft", query: "theft.vehicle"))
        #expect(OffenceTaxonomy.matches("service", query: "all"))
        #expect(OffenceTaxonomy.validateQuery("ALL") == nil && OffenceTaxonomy.validateQuery("burglary") == nil)
        #expect(OffenceTaxonomy.validateQuery("Burglary") != nil)
        #expect(OffenceTaxonomy.entries.allSatisfy { $0.parent == nil || OffenceTaxonomy.isKnown($0.parent!) })
        #expect(Set(OffenceTaxonomy.entries.map(\.code)).count == OffenceTaxonomy.entries.count)
    }

    @Test func civilDays() {
        #expect(CivilDay.parse("1970-01-01") == 0)
        #expect(CivilDay.parse("2016-02-29") != nil && CivilDay.parse("2017-02-29") == nil)
        for n in [-700_000, -1, 0, 17_000, 20_000, 2_000_000] { #expect(CivilDay.parse(CivilDay.string(n)) == n) }
        #expect(CivilDay.week(CivilDay.parse("2016-08-01")!) == CivilDay.week(CivilDay.parse("2016-08-07")!))   // Mon..Sun
        #expect(CivilDay.week(CivilDay.parse("2016-08-07")!) + 1 == CivilDay.week(CivilDay.parse("2016-08-08")!))
        #expect(CivilDay.monthString(CivilDay.month(CivilDay.parse("2017-07-15")!)) == "2017-07")
    }

    @Test func projectionRoundTripsAndKnowsItsError() {
        let p = LocalEquirectangular(lon0: -1.6, lat0: 53.8)
        let q = p.forward(lon: -1.5, lat: 53.9)
        let back = p.inverse(x: q.x, y: q.y)
        #expect(abs(back.lon + 1.5) < 1e-12 && abs(back.lat - 53.9) < 1e-12)
        // 0.1° of latitude is about 11.1 km.
        #expect(abs(q.y - 11_131) < 20)
        #expect(p.scaleError(latitudes: 53.4...54.3) < 0.013)
        #expect(p.scaleError(latitudes: 53.8...53.8) < 1e-9)
    }
}
