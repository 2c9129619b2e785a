import AqylCore
import Foundation
import Testing

@Suite("Regions: KATO hierarchy, ISO codes, scope, importer")
struct RegionTests {
    @Test func seventeenRegionsAndThreeCities() {
        let top = KazakhstanRegions.regions
        #expect(top.count == 20)
        #expect(Set(top.map(\.kato)).count == 20)
        // ISO 3166-2:KZ numeric codes equal the first two KATO digits.
        for r in top {
            #expect(r.iso == "KZ-" + r.kato.prefix(2), "\(r.kato) \(r.nameEn ?? "")")
            #expect(r.kato.hasSuffix("0000000"))
            #expect(r.parent == Region.centreCode)
            #expect(!r.nameKk.isEmpty && !r.nameRu.isEmpty && !(r.nameEn ?? "").isEmpty)
        }
        let byISO = Dictionary(uniqueKeysWithValues: top.map { ($0.iso!, $0) })
        #expect(byISO["KZ-71"]?.nameEn == "Astana")
        #expect(byISO["KZ-75"]?.nameEn == "Almaty")
        #expect(byISO["KZ-79"]?.nameEn == "Shymkent")
        #expect(byISO["KZ-10"]?.nameKk == "Абай облысы")
        #expect(byISO["KZ-33"]?.nameKk == "Жетісу облысы")
        #expect(byISO["KZ-62"]?.nameKk == "Ұлытау облысы")
        #expect(byISO["KZ-61"]?.nameRu == "Туркестанская область")
    }

    @Test func districtsHangUnderTheirRegion() {
        let dir = RegionDirectory(KazakhstanRegions.all)
        for d in KazakhstanRegions.districts {
            let parent = dir.region(d.parent!)
            #expect(parent?.level == .region)
            #expect(d.kato.prefix(2) == d.parent!.prefix(2))
        }
        #expect(dir.children(of: "710000000").map(\.kato).contains("711210000"))
    }

    @Test func scopeFollowsTheTree() {
        let dir = RegionDirectory(KazakhstanRegions.all)
        #expect(dir.isWithin("711210000", scope: "711210000"))
        #expect(dir.isWithin("711210000", scope: "710000000"))
        #expect(dir.isWithin("711210000", scope: Region.centreCode))
        #expect(!dir.isWithin("711310000", scope: "711210000"))
        #expect(!dir.isWithin("751210000", scope: "710000000"))
        #expect(!dir.isWithin("710000000", scope: "711210000"))
        #expect(!dir.isWithin("999999999", scope: Region.centreCode))
        #expect(Set(dir.subtree(of: "710000000")).isSuperset(of: ["710000000", "711210000", "711310000"]))
        #expect(!dir.subtree(of: "710000000").contains("751210000"))
        let p = Principal(userId: "u", username: "officer", role: .officer, regionKato: "711210000")
        #expect(throws: AqylError.self) { try p.requireScope("711310000", in: dir) }
        #expect(throws: AqylError.self) { try p.require(.admin) }
    }

    @Test func importerReadsTheOfficialColumns() throws {
        let csv = """
            te,ab,cd,ef,hij,k,name_kaz,name_rus,nn
            350000000,35,00,00,000,,Қарағанды облысы,Карагандинская область,1
            351000000,35,10,00,000,,Қарағанды Қ.Ә.,Г.А.Караганда,2
            351011100,35,10,11,100,1,Әлихан Бөкейхан ауданы,район Әлихан Бөкейхан,3
            "353200000",35,32,00,000,,"Абай ауданы, ќ.",Абайский район,4
            """
        let result = try KATOImporter.parse(csv: csv, known: [KazakhstanRegions.centre])
        #expect(result.errors.isEmpty)
        let by = Dictionary(uniqueKeysWithValues: result.regions.map { ($0.kato, $0) })
        #expect(by["350000000"]?.level == .region)
        #expect(by["350000000"]?.parent == Region.centreCode)
        #expect(by["351000000"]?.parent == "350000000")
        #expect(by["351011100"]?.parent == "351000000")
        #expect(by["351011100"]?.level == .locality)
        #expect(by["353200000"]?.level == .district)
        // The look-alike "ќ" some exports carry is mended to Kazakh "қ".
        #expect(by["353200000"]?.nameKk == "Абай ауданы, қ.")
    }

    @Test func importerReportsMalformedRowsWithoutGuessing() throws {
        let csv = """
            code,parent,name_kk,name_ru
            350000000,,Қарағанды облысы,Карагандинская область
            35100000,350000000,Short code,Короткий
            351600000,350000000,,Балхаш
            351600000,350000000,Балқаш Қ.Ә.,Г.А.Балхаш
            352100000,359900000,Приозерск Қ.Ә.,Г.А.Приозерск
            352200000,350000000,Саран Қ.Ә.
            352400000,350000000,Теміртау Қ.Ә.,Г.А.Темиртау
            352400000,350000000,Теміртау again,Темиртау снова
            """
        let result = try KATOImporter.parse(csv: csv, known: [KazakhstanRegions.centre])
        let rows = result.errors.map(\.row)
        #expect(Set(result.regions.map(\.kato)) == ["350000000", "351600000", "352400000"])
        #expect(rows == [3, 4, 6, 7, 9])
        #expect(result.errors[0].column == "code")
        #expect(result.errors[1].column == "name_kk")
        #expect(result.errors[2].message.contains("359900000"))
        #expect(result.errors[3].message.contains("fields"))
        #expect(result.errors[4].message.contains("repeats row 8"))
    }

    @Test func importerRefusesAFileWithoutNameColumns() {
        #expect(throws: KATOImporter.RowError.self) { try KATOImporter.parse(csv: "code,name\n110000000,x\n") }
    }
}
