import AqylCore
import AqylML
@testable import Assistance
import Foundation
import Testing

@Suite("Derived household features (ratios and sums)")
struct DerivedFeatureTests {
    typealias Derived = MemberSchema.Derived

    @Test func ratioIsMissingWhenTheDenominatorIsZeroOrMissing() {
        let f = Derived(name: "r", ratio: ["a", "b"]).formula
        func r(_ a: Float, _ b: Float) -> Float { f.value { [a, b][$0] } }
        #expect(r(3, 4) == 0.75)
        #expect(r(0, 4) == 0)
        #expect(r(3, 0).isNaN)
        #expect(r(3, .nan).isNaN)
        #expect(r(.nan, 4).isNaN)
        #expect(r(-2, 4) == -0.5)
    }

    @Test func missingAsZeroAppliesToTheNamedInputOnly() {
        let f = Derived(name: "r", ratio: ["tablets", "people"], missingAsZero: ["tablets"]).formula
        func r(_ a: Float, _ b: Float) -> Float { f.value { [a, b][$0] } }
        #expect(r(.nan, 4) == 0)        // no tablets recorded: 0 per person
        #expect(r(2, 4) == 0.5)
        #expect(r(.nan, .nan).isNaN)    // the denominator is still needed
        #expect(r(.nan, 0).isNaN)
        // Named on the denominator, a missing one becomes 0, so the ratio is still missing.
        let g = Derived(name: "r", ratio: ["a", "b"], missingAsZero: ["b"]).formula
        #expect(g.value { [1, Float.nan][$0] }.isNaN)
    }

    @Test func sumCountsMissingAsZero() {
        let f = Derived(name: "s", sum: ["a", "b", "c"]).formula
        #expect(f.value { [1, 2, 3][$0] } == 6)
        #expect(f.value { [1, Float.nan, 3][$0] } == 4)
        #expect(f.value { _ in Float.nan } == 0)
    }

    @Test func schemaDecodesDerivedAndRefusesMalformedEntries() throws {
        func decode(_ derived: String) throws -> MemberSchema {
            let json = """
                {"name": "toy", "household_id": "hh", "head": {"column": "is_head", "equals": "1"}, "derived": \(derived)}
                """
            return try JSONDecoder().decode(MemberSchema.self, from: Data(json.utf8))
        }
        let s = try decode(#"[{"name": "r", "ratio": ["a", "b"], "missing_as_zero": ["a"]}, {"name": "s", "sum": ["a", "b", "c"]}]"#)
        #expect(s.derived == [Derived(name: "r", ratio: ["a", "b"], missingAsZero: ["a"]), Derived(name: "s", sum: ["a", "b", "c"])])
        #expect(try decode("[]").derived.isEmpty)
        #expect(throws: AqylError.self) { try decode(#"[{"name": "r", "ratio": ["a", "b", "c"]}]"#) }
        #expect(throws: AqylError.self) { try decode(#"[{"name": "r", "ratio": ["a", "b"], "sum": ["a"]}]"#) }
        #expect(throws: AqylError.self) { try decode(#"[{"name": "r"}]"#) }
        // A schema without the key decodes with no derived features (older model files).
        let old = try JSONDecoder().decode(MemberSchema.self, from: Data(#"{"name": "toy", "household_id": "hh", "head": {"column": "h", "equals": "1"}}"#.utf8))
        #expect(old.derived.isEmpty)
    }

    let csv = """
        hh,is_head,age,rooms,people,tablets,fridge,tv,note,target
        A,1,40,2,4,,1,1,x,1
        A,0,12,2,4,,1,1,x,1
        B,1,55,3,0,1,0,,y,4
        C,1,30,0,2,2,1,0,z,2
        """

    func schema(_ derived: String) throws -> MemberSchema {
        let json = """
            {"name": "toy", "household_id": "hh", "head": {"column": "is_head", "equals": "1"},
             "target": {"column": "target", "eligible": ["1", "2"]}, "member_columns": ["age"], "derived": \(derived)}
            """
        return try JSONDecoder().decode(MemberSchema.self, from: Data(json.utf8))
    }

    @Test func aggregatorAddsDerivedColumnsAfterTheBaseOnes() throws {
        let s = try schema("""
            [{"name": "rooms_pp", "ratio": ["rooms", "people"]}, {"name": "tablets_pp", "ratio": ["tablets", "people"], "missing_as_zero": ["tablets"]},
             {"name": "people_per_room", "ratio": ["people", "rooms"]}, {"name": "age_per_member", "ratio": ["age_max", "members"]},
             {"name": "assets", "sum": ["fridge", "tv", "tablets"]}]
            """)
        let hh = try HouseholdAggregator.aggregate(csvText: csv, file: "toy.csv", schema: s, requireTarget: true)
        let t = hh.table
        #expect(Array(t.featureNames.suffix(5)) == ["rooms_pp", "tablets_pp", "people_per_room", "age_per_member", "assets"])
        func col(_ n: String) -> [Float] { t.column(named: n)!.values }
        #expect(col("rooms_pp")[0] == 0.5 && col("rooms_pp")[1].isNaN && col("rooms_pp")[2] == 0)
        #expect(col("tablets_pp")[0] == 0 && col("tablets_pp")[1].isNaN && col("tablets_pp")[2] == 1)
        #expect(col("people_per_room")[0] == 2 && col("people_per_room")[1] == 0 && col("people_per_room")[2].isNaN)
        #expect(col("age_per_member") == [20, 55, 30])
        #expect(col("assets") == [2, 1, 3])
        // The base columns are untouched (tablets stays missing where it was empty).
        #expect(col("tablets")[0].isNaN)
        // Scoring with a model's feature list picks the derived columns too.
        let scored = try HouseholdAggregator.aggregate(csvText: csv, file: "toy.csv", schema: s, requireTarget: false,
                                                      expectedFeatures: ["assets", "rooms"])
        #expect(scored.table.featureNames == ["assets", "rooms"])
        #expect(scored.table.column(named: "assets")?.values == [2, 1, 3])
    }

    @Test func aggregatorRefusesDerivedFeaturesItCannotCompute() throws {
        for (derived, words) in [(#"[{"name": "x", "ratio": ["rooms", "nowhere"]}]"#, "nowhere"),
                                 (#"[{"name": "x", "sum": ["rooms", "note"]}]"#, "numeric"),
                                 (#"[{"name": "rooms", "sum": ["people"]}]"#, "name of another feature"),
                                 (#"[{"name": "x", "sum": ["people"]}, {"name": "x", "sum": ["rooms"]}]"#, "name of another feature")] {
            #expect { try HouseholdAggregator.aggregate(csvText: csv, file: "toy.csv", schema: try schema(derived), requireTarget: true) }
                throws: { "\($0)".contains(words) }
        }
    }

    @Test func costaRicaSchemaDerivedFeaturesHavePlainWordLabels() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schemas/costa_rica.json")
        let s = try MemberSchema.load(path: url.path)
        #expect(s.derived.count == 14)
        for d in s.derived {
            for language in ["kk", "ru", "en"] {
                #expect(Kazakhstan.label(d.name, language: language) != d.name, "\(d.name) has no \(language) label")
            }
        }
        #expect(Kazakhstan.label("r_rooms_pp", language: "ru") == "Комнат на человека")
    }

    /// Screening builds features in its own streaming pass; with derived features in the schema it must give the
    /// training path's values for every household, and the same probabilities.
    @Test func screeningBuildsTheSameDerivedFeaturesAsTraining() throws {
        var schema = Kazakhstan.schema
        schema.derived = [
            Derived(name: "rooms_pp", ratio: ["rooms", "members"]),
            Derived(name: "wages_pp", ratio: ["income_wages", "members"]),
            Derived(name: "vehicles_per_dwelling", ratio: ["vehicles", "dwellings"]),
            Derived(name: "oldest_per_member", ratio: ["age_max", "members"]),
            Derived(name: "income_total", sum: ["income_wages", "income_pension", "income_benefits", "income_other"]),
        ]
        let pop = SyntheticPopulation(seed: 19)
        let train = try HouseholdAggregator.aggregate(csvText: pop.csv(0..<1500), file: "synthetic", schema: schema, requireTarget: true)
        var options = EligibilityModel.Options()
        options.trees = 20
        options.minLeaf = 3
        let model = try EligibilityModel.train(households: train, schema: schema, options: options, dataDescription: "synthetic")
        #expect(model.featureNames.suffix(5) == ["rooms_pp", "wages_pp", "vehicles_per_dwelling", "oldest_per_member", "income_total"])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aqyl-derived-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = dir.appendingPathComponent("registry.csv").path
        try SyntheticPopulation(seed: 23).write(count: 800, to: registry)
        final class Rows: @unchecked Sendable {   // filled from the screening threads
            let lock = NSLock()
            var byId: [String: [Float]] = [:]
        }
        let rows = Rows()
        var screen = Screening.Options()
        screen.threshold = 0
        screen.threads = 3
        screen.onFeatures = { id, row in rows.lock.withLock { rows.byId[id] = row } }
        let out = dir.appendingPathComponent("candidates.csv").path
        let summary = try Screening.run(registry: registry, model: model, out: out, options: screen)
        #expect(summary.households == 800)

        let reference = try HouseholdAggregator.aggregate(csvText: try String(contentsOfFile: registry, encoding: .utf8), file: registry,
                                                          schema: schema, requireTarget: false, expectedFeatures: model.featureNames)
        let screened = rows.lock.withLock { rows.byId }
        #expect(screened.count == reference.ids.count)
        var derivedSeen = 0
        for (r, id) in reference.ids.enumerated() {
            let row = try #require(screened[id], "household \(id)")
            for (j, name) in model.featureNames.enumerated() {
                let want = reference.table.columns[j].values[r], got = row[j]
                let same = want.isNaN ? got.isNaN : abs(got - want) <= 1e-6 * max(1, abs(want))
                #expect(same, "household \(id), \(name): screening \(got), training path \(want)")
                if j >= model.featureNames.count - 5 && !want.isNaN { derivedSeen += 1 }
            }
        }
        #expect(derivedSeen > 800 * 3)
        // And the probabilities agree.
        let probs = Dictionary(uniqueKeysWithValues: zip(reference.ids, try model.probabilities(reference.table)))
        for line in try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(abs(Double(f[2])! - probs[String(f[0])]!) < 1e-4)
        }
    }
}
