import AqylCore
import AqylKit
import AqylML
import Foundation

/// SYNTHETIC households for demos, tests and benchmarks — no real person is in them.
///
/// What is taken from published figures (sources in `Kazakhstan` and docs/research/asp-rules-and-figures.md):
/// - household size: mean about 3 in towns and 4 in villages (household survey 2020, via mgorod.kz 24.11.2021;
///   census 2021 gives ≈ 3.4 overall);
/// - regional subsistence minimum (ПМ): BNS, Aug–Sep 2025 (`Kazakhstan.subsistenceMinimum2025`);
/// - share of people below the ПМ by region: BNS, Q3 2025 (`Kazakhstan.povertyShareQ3_2025`, national 5.3%):
///   per-person income is log-normal with the median set so that this share falls below the regional ПМ;
/// - the ASP line: 70% of the regional ПМ (no regional median has been published, see `Kazakhstan.builtInFigures`).
///
/// What is invented (and only shapes the demo): how income splits into wages and pensions, the share of income that
/// is never declared (what home visits find, and what the model's second opinion learns to suspect from assets and
/// living conditions), ownership of cars and livestock, how often eligible families apply, and officers' noise.
public struct SyntheticPopulation: Sendable {
    /// Region weights: approximate resident population, millions, start of 2024 (BNS estimates, rounded; used only to
    /// weight synthetic households between regions).
    public static let populationWeights: [String: Double] = [
        "750000000": 2.2, "710000000": 1.4, "790000000": 1.2, "610000000": 2.1, "190000000": 1.5, "310000000": 1.2,
        "350000000": 1.1, "630000000": 0.7, "150000000": 0.9, "430000000": 0.8, "470000000": 0.8, "550000000": 0.75,
        "390000000": 0.83, "230000000": 0.7, "270000000": 0.69, "110000000": 0.78, "590000000": 0.53, "100000000": 0.6,
        "330000000": 0.7, "620000000": 0.22,
    ]
    static let cities: Set<String> = ["710000000", "750000000", "790000000"]

    public var seed: UInt64
    /// Quarter whose incomes are generated (the quarter before the applications).
    public var quarter: Quarter
    /// Restrict to these regions (all top-level regions when empty).
    public var regions: [String]

    public init(seed: UInt64 = 2026, quarter: Quarter = try! Quarter(year: 2026, quarter: 3), regions: [String] = []) {
        self.seed = seed
        self.quarter = quarter
        self.regions = regions
    }

    /// One synthetic household plus what only the generator knows.
    public struct Generated: Sendable {
        public var household: Household
        /// Income per person including what was never declared.
        public var trueIncomePerPerson: Double
        /// The ASP line for its region.
        public var line: Double
        /// Whether it qualifies on its true income.
        public var trulyEligible: Bool
        /// The recorded past decision after verification ("approved" / "rejected"), with officers' noise.
        public var pastDecision: String
        /// Whether the family ever applied.
        public var applied: Bool
    }

    /// Districts by region from the built-in directory; a region without districts is its own unit.
    static let districtsByRegion: [String: [String]] = {
        var out: [String: [String]] = [:]
        for d in KazakhstanRegions.districts { if let p = d.parent { out[p, default: []].append(d.kato) } }
        return out
    }()

    /// Household number `index` (deterministic for the seed: any slice can be generated in parallel).
    public func household(_ index: Int) -> Generated {
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, index))
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        func normal() -> Double { sqrt(-2 * log(max(u(), 1e-300))) * cos(2 * .pi * u()) }
        func poisson(_ lambda: Double) -> Int {
            let l = exp(-lambda); var k = 0; var p = 1.0
            repeat { k += 1; p *= u() } while p > l && k < 50
            return k - 1
        }
        let pool = regions.isEmpty ? Self.populationWeights.keys.sorted() : regions
        let total = pool.reduce(0) { $0 + (Self.populationWeights[$1] ?? 0.5) }
        var pick = u() * total
        var region = pool[pool.count - 1]
        for r in pool { pick -= Self.populationWeights[r] ?? 0.5; if pick <= 0 { region = r; break } }
        let districts = Self.districtsByRegion[region] ?? []
        let district = districts.isEmpty ? region : districts[Int(u() * Double(districts.count)) % districts.count]
        let rural = !Self.cities.contains(region) && u() < 0.45

        // Household size: 1 + Poisson(mean − 1), mean 3 in towns and 4 in villages.
        let size = min(12, 1 + poisson(rural ? 3.0 : 2.0))
        var members: [Member] = []
        let headAge = 22 + Int(u() * 55)
        let headSex: IIN.Sex = u() < 0.68 ? .male : .female
        func education(_ age: Int) -> Member.Education {
            if age < 7 { return .none }
            if age < 16 { return .primary }
            let x = u()
            return x < 0.35 ? .secondary : x < 0.65 ? .vocational : .higher
        }
        func employment(_ age: Int) -> Member.Employment {
            if age < 16 { return .unknown }
            if age < 22 && u() < 0.6 { return .student }
            if age >= 63 { return .retired }
            let x = u()
            return x < 0.62 ? .employed : x < 0.75 ? .selfEmployed : x < 0.85 ? .unemployed : .caregiver
        }
        func member(age: Int, sex: IIN.Sex, relation: Member.Relation) -> Member {
            let emp = employment(age)
            return Member(age: age, sex: sex, relation: relation, disabilityGroup: u() < 0.04 ? 1 + Int(u() * 3) : 0,
                          employment: emp, pregnant: sex == .female && (18...42).contains(age) && u() < 0.05,
                          education: education(age), student: emp == .student)
        }
        members.append(member(age: headAge, sex: headSex, relation: .head))
        if size >= 2 && u() < 0.7 {
            members.append(member(age: max(18, headAge + Int(normal() * 4)), sex: headSex == .male ? .female : .male, relation: .spouse))
        }
        while members.count < size {
            if headAge > 50 && u() < 0.3 {
                members.append(member(age: max(0, headAge - 25 - Int(u() * 10)), sex: u() < 0.5 ? .male : .female, relation: .child))
            } else if u() < 0.12 {
                members.append(member(age: min(95, headAge + 22 + Int(u() * 10)), sex: u() < 0.6 ? .female : .male, relation: .parent))
            } else {
                members.append(member(age: max(0, min(30, headAge - 20 - Int(u() * 20))), sex: u() < 0.5 ? .male : .female, relation: .child))
            }
        }

        // Income: log-normal per person, median set so the published share falls below the regional ПМ.
        let pm = Kazakhstan.subsistenceMinimum2025[region] ?? Kazakhstan.nationalSubsistenceMinimum2025
        let share = Kazakhstan.povertyShareQ3_2025[region] ?? Kazakhstan.nationalPovertyShare
        let sigma = 0.55
        let median = pm / exp(sigma * Self.probit(share))
        let dependants = members.filter { $0.age < 16 || $0.employment == .retired }.count
        let dependency = Double(dependants) / Double(members.count)
        let trueIncome = median * exp(sigma * normal() - 0.35 * (dependency - 0.35)) * (rural ? 0.9 : 1.0)
        let totalMonthly = trueIncome * Double(members.count)
        let pensioners = members.filter { $0.employment == .retired }.count
        let pension = min(totalMonthly, Double(pensioners) * (80_000 + u() * 40_000))
        let benefits = members.contains { $0.disabilityGroup > 0 } ? min(totalMonthly - pension, 45_000 + u() * 20_000) : 0
        let earned = max(0, totalMonthly - pension - benefits)
        // Part of earned income is never declared (informal work, remittances); more often in villages.
        let undeclaredShare = u() < (rural ? 0.4 : 0.25) ? 0.2 + u() * 0.5 : 0
        let declaredEarned = earned * (1 - undeclaredShare)
        var incomes: [IncomeRecord] = []
        for month in quarter.months {
            func jitter(_ x: Double) -> Double { (x * (0.9 + 0.2 * u())).rounded() }
            if declaredEarned > 0 { incomes.append(IncomeRecord(month: month, source: .wages, amount: jitter(declaredEarned))) }
            if pension > 0 { incomes.append(IncomeRecord(month: month, source: .pension, amount: pension.rounded())) }
            if benefits > 0 { incomes.append(IncomeRecord(month: month, source: .benefits, amount: benefits.rounded())) }
        }
        // Assets and living conditions follow true income (that is what makes them informative).
        let wealth = trueIncome / pm
        let tenure: Housing.Tenure = u() < 0.72 + 0.1 * min(wealth, 2) ? .own : (u() < 0.7 ? .rent : .relatives)
        let assets = Assets(dwellings: tenure == .own ? 1 + (u() < 0.08 * wealth ? 1 : 0) : 0,
                            vehicles: poisson(max(0.02, 0.5 * wealth - 0.2)),
                            landHectares: rural ? (u() * 0.25 * wealth).rounded(toPlaces: 2) : 0,
                            livestockUnits: rural ? Double(poisson(max(0.1, 2.5 * wealth - 1))) : 0)
        let housing = Housing(tenure: tenure, rooms: max(1, min(8, Int((Double(size) * 0.5 + wealth * 0.8 + u()).rounded()))),
                              pipedWater: u() < (rural ? 0.45 + 0.2 * min(wealth, 1.5) : 0.97),
                              centralHeating: u() < (rural ? 0.1 + 0.1 * min(wealth, 2) : 0.8 + 0.05 * min(wealth, 2)),
                              rural: rural)
        let line = 0.70 * pm
        let eligible = trueIncome < line
        // Officers' noise: 0.5% of verified decisions go the other way.
        let decision = (eligible != (u() < 0.005)) ? "approved" : "rejected"
        let applied = eligible ? u() < 0.6 : u() < 0.04
        let id = String(format: "SYN-%09d", index)
        return Generated(household: Household(id: id, districtKato: district, members: members, incomes: incomes,
                                              assets: assets, housing: housing),
                         trueIncomePerPerson: trueIncome, line: line, trulyEligible: eligible, pastDecision: decision,
                         applied: applied)
    }

    /// Writes households `0..<count` as a member-level CSV in `Kazakhstan.columns` order, calling `progress` now and then.
    public func write(count: Int, to path: String, progress: (Int) -> Void = { _ in }) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw AqylError.invalid("out", "cannot create \(path)")
        }
        defer { try? handle.close() }
        var buffer = Kazakhstan.columns.joined(separator: ",") + "\n"
        let chunk = 4096
        var start = 0
        while start < count {
            let end = min(count, start + chunk)
            let first = start
            // Generate a chunk in parallel, write it in order.
            var parts = [String](repeating: "", count: end - start)
            parts.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                nonisolated(unsafe) let ptr = base
                DispatchQueue.concurrentPerform(iterations: defaultThreadCount()) { t in
                    var i = first + t
                    while i < end {
                        let g = household(i)
                        var s = ""
                        for row in Kazakhstan.memberRows(g.household, quarter: quarter, applied: g.applied, pastDecision: g.pastDecision) {
                            s += row.joined(separator: ","); s += "\n"
                        }
                        ptr[i - first] = s
                        i += defaultThreadCount()
                    }
                }
            }
            for p in parts { buffer += p }
            try handle.write(contentsOf: Data(buffer.utf8))
            buffer = ""
            start = end
            progress(end)
        }
    }

    /// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
    static func probit(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let lo = 0.02425
        if p < lo {
            let q = sqrt(-2 * log(p))
            return (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q+c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q+1)
        }
        if p > 1 - lo { return -probit(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r+a[5])*q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r+1)
    }
}

extension Double {
    func rounded(toPlaces p: Int) -> Double { let m = pow(10, Double(p)); return (self * m).rounded() / m }
}

extension SyntheticPopulation {
    /// Member-level CSV text (with the past decision as target) for households `range`.
    public func csv(_ range: Range<Int>) -> String {
        var out = Kazakhstan.columns.joined(separator: ",") + "\n"
        for i in range {
            let g = household(i)
            for row in Kazakhstan.memberRows(g.household, quarter: quarter, applied: g.applied, pastDecision: g.pastDecision) {
                out += row.joined(separator: ","); out += "\n"
            }
        }
        return out
    }

    /// A small model trained on synthetic households, for the demo server and tests (a few seconds).
    public func trainDemoModel(households: Int = 4000, trees: Int = 60) throws -> EligibilityModel {
        let schema = Kazakhstan.schema
        let table = try HouseholdAggregator.aggregate(csvText: csv(0..<households), file: "synthetic", schema: schema, requireTarget: true)
        var options = EligibilityModel.Options()
        options.trees = trees
        options.minLeaf = 3
        options.seed = seed
        return try EligibilityModel.train(households: table, schema: schema, options: options,
                                          dataDescription: "SYNTHETIC Kazakhstan households (Aqyl generator, seed \(seed), \(households) households); not real people.")
    }
}
