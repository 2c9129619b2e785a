import AqylCore
import AqylKit
import AqylML
import Assistance
import Foundation
import Testing

@Suite("ASP member-level import and eligibility model")
struct HouseholdImportTests {
    func schema(_ extra: String = "") throws -> MemberSchema {
        let json = """
            {"name": "toy", "household_id": "hh", "head": {"column": "is_head", "equals": "1"},
             "target": {"column": "target", "eligible": ["1", "2"]}, "ignore": ["person"],
             "fairness_only": ["male"], "member_columns": ["age", "school_years"],
             "value_maps": {"owns_car": {"yes": 1, "no": 0}},
             "groups": {"sex_of_head": {"column": "male", "map": {"1": "male", "0": "female"}}}\(extra)}
            """
        return try JSONDecoder().decode(MemberSchema.self, from: Data(json.utf8))
    }

    let csv = """
        person,hh,is_head,age,school_years,male,owns_car,rooms,target
        p1,A,1,40,11,1,no,2,1
        p2,A,0,12,5,0,no,2,1
        p3,B,1,55,16,0,yes,5,4
        p4,B,0,50,old,1,yes,5,4
        p5,C,0,30,9,1,no,1,2
        p6,D,1,70,,0,no,3,3,extra
        p7,E,1,33,10,1,no,3,
        """

    @Test func aggregatesMembersAndReportsEveryRejectedRow() throws {
        let hh = try HouseholdAggregator.aggregate(csvText: csv, file: "toy.csv", schema: try schema(), requireTarget: true)
        #expect(hh.ids == ["A", "B"])
        #expect(hh.target == ["1", "4"])
        #expect(hh.memberCounts == [2, 1])
        let t = hh.table
        #expect(t.column(named: "members")?.values == [2, 1])
        #expect(t.column(named: "age_mean")?.values == [26, 55])
        #expect(t.column(named: "age_min")?.values == [12, 55])
        #expect(t.column(named: "school_years_max")?.values == [11, 16])
        #expect(t.column(named: "owns_car")?.values == [0, 1])
        #expect(t.column(named: "rooms")?.values == [2, 5])
        // Sex is a fairness group, never a feature.
        #expect(t.column(named: "male") == nil)
        #expect(hh.groups["sex_of_head"] == ["male", "female"])
        // Row 5 (p4): bad number; row 6 (p5): household C has no head; row 7 (p6): ragged; row 8 (p7): empty target.
        #expect(hh.rejected.map(\.row) == [5, 6, 7, 8])
        #expect(hh.rejected[0].column == "school_years")
        #expect(hh.rejected[1].reason.contains("no head"))
        #expect(hh.rejected[2].reason == "has 10 fields but the header has 9")
        #expect(hh.rejected[3].column == "target")
    }

    @Test func malformedCSVStopsTheImportNamingLineAndColumn() throws {
        let stray = csv.replacingOccurrences(of: "p3,B,1,55,16,0,yes", with: "p3,B,1,55,16,0,y\"es")
        #expect {
            try HouseholdAggregator.aggregate(csvText: stray, file: "toy.csv", schema: try schema(), requireTarget: true)
        } throws: { ($0 as? AqylError)?.message == "toy.csv, line 4, column 7 (owns_car): a quote inside an unquoted field (quote the whole field and double the quote: \"say \"\"hi\"\"\")" }
        // Quoted fields are read like plain ones.
        let quoted = csv.replacingOccurrences(of: "p1,A,1,40,11,1,no,2,1", with: "\"p1\",\"A\",\"1\",\"40\",11,1,\"no\",2,1")
        let a = try HouseholdAggregator.aggregate(csvText: csv, file: "toy.csv", schema: try schema(), requireTarget: true)
        let b = try HouseholdAggregator.aggregate(csvText: quoted, file: "toy.csv", schema: try schema(), requireTarget: true)
        #expect(a.ids == b.ids && a.rejected == b.rejected && a.table.featureNames == b.table.featureNames)
        #expect(a.table.columns.map { $0.values.map(\.bitPattern) } == b.table.columns.map { $0.values.map(\.bitPattern) })
    }

    @Test func protectedAttributesAreRefusedAsFeatures() throws {
        let withEthnicity = csv.replacingOccurrences(of: "rooms,target", with: "ethnicity,target")
        #expect {
            try HouseholdAggregator.aggregate(csvText: withEthnicity, file: "toy.csv", schema: try schema(), requireTarget: true)
        } throws: { ($0 as? AqylError)?.code == "protected_attribute" && ($0 as? AqylError)?.field == "ethnicity" }
        // Listed under "protected", the column is kept out of the model and the file is accepted.
        let hh = try HouseholdAggregator.aggregate(csvText: withEthnicity, file: "toy.csv",
                                                   schema: try schema(#", "protected": ["ethnicity"]"#), requireTarget: true)
        #expect(hh.table.column(named: "ethnicity") == nil)
        let religion = csv.replacingOccurrences(of: "rooms,target", with: "религия,target")
        #expect(throws: AqylError.self) {
            try HouseholdAggregator.aggregate(csvText: religion, file: "toy.csv", schema: try schema(), requireTarget: true)
        }
    }

    @Test func missingColumnsAreNamed() throws {
        let noTarget = csv.replacingOccurrences(of: ",target", with: ",label")
        #expect {
            try HouseholdAggregator.aggregate(csvText: noTarget, file: "toy.csv", schema: try schema(), requireTarget: true)
        } throws: { ($0 as? AqylError)?.message.contains("'target'") == true }
    }

    @Test func errorRatesFollowTheirDefinitions() {
        // 4 eligible, model approves 3 of them and 2 of the 4 not eligible.
        let truth = [true, true, true, true, false, false, false, false]
        let pred = [true, true, true, false, true, true, false, false]
        let r = ErrorRates(truth: truth, predicted: pred)
        #expect(r.exclusionError == 0.25)       // 1 of 4 eligible left out
        #expect(r.inclusionError == 0.4)        // 2 of 5 approved not eligible
    }

    @Test func trainsSavesAndLoadsWithAModelCard() throws {
        // A synthetic, clearly separable toy population: income per person decides eligibility.
        var rows = ["person,hh,is_head,age,school_years,male,owns_car,rooms,target"]
        var rng = SeededGenerator(seed: 7)
        for h in 0..<300 {
            let poor = h % 3 == 0
            let size = Int.random(in: 1...5, using: &rng)
            for m in 0..<size {
                let school = poor ? Int.random(in: 0...8, using: &rng) : Int.random(in: 9...18, using: &rng)
                rows.append("p\(h)_\(m),H\(h),\(m == 0 ? 1 : 0),\(20 + m * 7),\(school),\(m % 2),\(poor ? "no" : "yes"),\(poor ? 1 : 4),\(poor ? 1 : 4)")
            }
        }
        let s = try schema()
        let hh = try HouseholdAggregator.aggregate(csvText: rows.joined(separator: "\n"), file: "synthetic.csv", schema: s, requireTarget: true)
        var options = EligibilityModel.Options()
        options.trees = 20
        let model = try EligibilityModel.train(households: hh, schema: s, options: options, dataDescription: "synthetic toy")
        #expect(model.card.test.macroF1 > 0.9)
        #expect(model.card.test.byGroup["sex_of_head"] != nil)
        #expect(model.card.markdown.contains("exclusion error"))
        let interval = try #require(model.card.test.macroF1Interval)
        #expect(interval.count == 2 && interval[0] <= model.card.test.macroF1 && model.card.test.macroF1 <= interval[1])
        #expect(model.card.markdown.contains("95% bootstrap interval"))
        #expect(!model.featureNames.contains("male"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("asp-\(UUID().uuidString).model").path
        try model.save(to: path)
        let loaded = try EligibilityModel.load(path: path)
        #expect(try loaded.probabilities(hh.table) == model.probabilities(hh.table))
        #expect(loaded.version == model.version)
        let reasons = try model.reasons(for: hh.table, row: 0)
        #expect(reasons.count == 5)
    }
}
