import AqylCore
import AqylKit
import AqylML
import Foundation

/// Aqyl's own member-level layout for Kazakhstan's households: the schema the ASP model is trained on, the
/// rows an application turns into (so training and scoring share one feature pipeline), plain-word labels of
/// the features in Kazakh, Russian and English, and the published figures the rule starts from.
public enum Kazakhstan {
    /// Columns of the member-level file, in order. One row per person; household columns repeat on every row.
    public static let columns = [
        "household_id", "district_kato", "region", "head", "sex", "age", "child", "pensioner", "disability",
        "disability_group", "employed", "unemployed", "student", "pregnant", "education_level",
        "dwellings", "vehicles", "land_ha", "livestock_units", "rooms", "rented", "piped_water", "central_heating", "rural",
        "income_wages", "income_pension", "income_benefits", "income_other", "income_per_person",
        "applied", "past_decision",
    ]
    public static let memberColumns = ["age", "child", "pensioner", "disability", "disability_group", "employed", "unemployed",
                                       "student", "pregnant", "education_level"]

    /// The schema (also shipped as `schemas/kazakhstan.json`). Sex and region are used only for fairness reports.
    public static var schema: MemberSchema {
        let json = """
        {"name": "kazakhstan_asp",
         "description": "Aqyl member-level household file for Kazakhstan (one row per person). Target: the past ASP decision after verification (approved / rejected).",
         "household_id": "household_id", "head": {"column": "head", "equals": "1"},
         "target": {"column": "past_decision", "eligible": ["approved"]},
         "ignore": ["district_kato", "head", "applied"],
         "protected": [], "fairness_only": ["sex", "region"],
         "member_columns": \(try! String(decoding: JSONEncoder().encode(memberColumns), as: UTF8.self)),
         "value_maps": {},
         "groups": {"sex_of_head": {"column": "sex", "map": {"M": "male", "F": "female"}},
                    "disability": {"column": "disability", "aggregate": "any", "map": {"1": "with disability", "0": "without disability"}},
                    "region": {"column": "region"}},
         "region_column": "district_kato", "income_column": "income_per_person"}
        """
        return try! JSONDecoder().decode(MemberSchema.self, from: Data(json.utf8))
    }

    /// The region (oblast or city of republican significance) a KATO code belongs to: its first two digits + zeros.
    public static func regionCode(of kato: String) -> String { String(kato.prefix(2)) + "0000000" }

    /// Monthly averages of the household's declared income over `quarter`, grouped as the model sees it.
    public static func incomeGroups(_ h: Household, quarter: Quarter) -> (wages: Double, pension: Double, benefits: Double, other: Double) {
        let months = Set(quarter.months)
        var w = 0.0, p = 0.0, b = 0.0, o = 0.0
        for inc in h.incomes where months.contains(inc.month) {
            switch inc.source {
            case .wages, .selfEmployment: w += inc.amount
            case .pension: p += inc.amount
            case .benefits, .alimony: b += inc.amount
            case .subsidiaryPlot, .livestock, .landPlot, .rent, .other: o += inc.amount
            }
        }
        return (w / 3, p / 3, b / 3, o / 3)
    }

    /// The household as member rows in `columns` order (household values repeated on each row).
    public static func memberRows(_ h: Household, quarter: Quarter, applied: Bool = true, pastDecision: String = "") -> [[String]] {
        let inc = incomeGroups(h, quarter: quarter)
        let total = inc.wages + inc.pension + inc.benefits + inc.other
        let perPerson = h.members.isEmpty ? 0 : total / Double(h.members.count)
        func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.2f", x) }
        func b(_ x: Bool) -> String { x ? "1" : "0" }
        let household: [String] = [
            String(h.assets.dwellings), String(h.assets.vehicles), f(h.assets.landHectares), f(h.assets.livestockUnits),
            String(h.housing.rooms), b(h.housing.tenure == .rent), b(h.housing.pipedWater), b(h.housing.centralHeating),
            b(h.housing.rural), f(inc.wages), f(inc.pension), f(inc.benefits), f(inc.other), f(perPerson),
        ]
        let headIndex = h.members.firstIndex { $0.relation == .head } ?? 0
        return h.members.enumerated().map { i, m in
            [h.id, h.districtKato, regionCode(of: h.districtKato), b(i == headIndex), m.sex == .male ? "M" : "F", String(m.age),
             b(m.age < 18), b(m.age >= 63), b(m.disabilityGroup > 0), String(m.disabilityGroup),
             b(m.employment == .employed || m.employment == .selfEmployed), b(m.employment == .unemployed), b(m.student),
             b(m.pregnant), m.education.level.map(f) ?? ""]
            + household + [b(applied), pastDecision]
        }
    }

    /// CSV text (with header) of households as member rows.
    public static func csv(_ households: [(Household, Quarter)]) -> String {
        var out = columns.joined(separator: ",") + "\n"
        for (h, q) in households {
            for row in memberRows(h, quarter: q) { out += CSVWriter.line(row) + "\n" }
        }
        return out
    }

    /// Builds the model's input table for households (one row each), through the same aggregation as training.
    public static func table(_ households: [(Household, Quarter)], features: [String]) throws -> HouseholdTable {
        try HouseholdAggregator.aggregate(csvText: csv(households), file: "application", schema: schema, requireTarget: false,
                                          expectedFeatures: features)
    }

    // MARK: plain words

    /// Labels of features: Kazakh, Russian, English.
    static let labels: [String: (kk: String, ru: String, en: String)] = [
        "members": ("Отбасы мүшелерінің саны", "Число членов семьи", "Household members"),
        "age": ("Жасы", "Возраст", "Age"),
        "child": ("18 жасқа толмаған балалар", "Дети до 18 лет", "Children under 18"),
        "pensioner": ("Зейнет жасындағылар", "Лица пенсионного возраста", "People of pension age"),
        "disability": ("Мүгедектігі бар адамдар", "Лица с инвалидностью", "People with a disability"),
        "disability_group": ("Мүгедектік тобы", "Группа инвалидности", "Disability group"),
        "employed": ("Жұмыс істейтіндер", "Работающие", "Employed"),
        "unemployed": ("Жұмыссыздар", "Безработные", "Unemployed"),
        "student": ("Оқитындар", "Учащиеся", "Students"),
        "pregnant": ("Жүкті әйелдер", "Беременные", "Pregnant"),
        "education_level": ("Білім деңгейі", "Уровень образования", "Education level"),
        "dwellings": ("Меншіктегі тұрғын үйлер", "Жильё в собственности", "Dwellings owned"),
        "vehicles": ("Көлік құралдары", "Транспортные средства", "Vehicles"),
        "land_ha": ("Жер телімі, га", "Земельный участок, га", "Land, hectares"),
        "livestock_units": ("Мал басы (шартты)", "Поголовье скота (условное)", "Livestock (conventional head)"),
        "rooms": ("Бөлмелер саны", "Число комнат", "Rooms"),
        "rented": ("Жалға алынған тұрғын үй", "Съёмное жильё", "Rented home"),
        "piped_water": ("Құбыр суы", "Водопровод", "Piped water"),
        "central_heating": ("Орталық жылу", "Центральное отопление", "Central heating"),
        "rural": ("Ауылдық жер", "Сельская местность", "Rural"),
        "income_wages": ("Айлық жалақы мен кәсіпкерлік табыс", "Зарплата и доход от предпринимательства в месяц", "Wages and self-employment, monthly"),
        "income_pension": ("Айлық зейнетақы", "Пенсия в месяц", "Pensions, monthly"),
        "income_benefits": ("Айлық жәрдемақылар мен алименттер", "Пособия и алименты в месяц", "Benefits and alimony, monthly"),
        "income_other": ("Басқа айлық табыс", "Прочие доходы в месяц", "Other income, monthly"),
        "income_per_person": ("Бір адамға шаққандағы айлық табыс", "Доход на человека в месяц", "Income per person, monthly"),
        // Derived features (schema key "derived"; those of schemas/costa_rica.json).
        "r_rooms_pp": ("Бір адамға шаққандағы бөлмелер", "Комнат на человека", "Rooms per person"),
        "r_bedrooms_pp": ("Бір адамға шаққандағы жатын бөлмелер", "Спален на человека", "Bedrooms per person"),
        "r_tamviv_per_room": ("Бір бөлмеге шаққандағы тұрғындар", "Живущих в доме на комнату", "People living in the home per room"),
        "r_bedrooms_per_room": ("Бөлмелердің ішіндегі жатын бөлмелер үлесі", "Доля спален среди комнат", "Bedrooms per room"),
        "r_mobile_pp": ("Бір адамға шаққандағы ұялы телефондар", "Мобильных телефонов на человека", "Mobile phones per person"),
        "r_tablet_pp": ("Бір адамға шаққандағы планшеттер", "Планшетов на человека", "Tablets per person"),
        "r_adults_share": ("Отбасындағы ересектердің үлесі", "Доля взрослых в семье", "Share of adults in the household"),
        "r_children_share": ("Отбасындағы балалардың үлесі", "Доля детей в семье", "Share of children in the household"),
        "r_elderly_share": ("Отбасындағы егде жастағылардың үлесі", "Доля пожилых в семье", "Share of older people in the household"),
        "r_children_per_adult": ("Бір ересекке шаққандағы балалар", "Детей на одного взрослого", "Children per adult"),
        "r_rent_pp": ("Бір адамға шаққандағы айлық жалдау ақысы", "Плата за аренду в месяц на человека", "Monthly rent per person"),
        "r_mobile_per_adult": ("Бір ересекке шаққандағы ұялы телефондар", "Мобильных телефонов на взрослого", "Mobile phones per adult"),
        "s_assets": ("Үйдегі заттар саны: тоңазытқыш, компьютер, теледидар, ұялы телефон, планшет",
                     "Сколько есть дома: холодильник, компьютер, телевизор, мобильный телефон, планшет",
                     "Household items: fridge, computer, television, mobile phone, tablet"),
        "s_deficits": ("Тұрғын үйдің кемшіліктері: дәретхана, электр, еден, су жоқ, қабырғасы қолдағы материалдан",
                       "Недостатки жилья: нет туалета, электричества, пола, воды, стены из подручных материалов",
                       "Housing shortfalls: no toilet, electricity, floor or water; walls of scrap material"),
    ]
    static let suffixes: [String: (kk: String, ru: String, en: String)] = [
        "_mean": ("отбасы бойынша орташа", "в среднем по семье", "household average"),
        "_min": ("отбасындағы ең аз мән", "наименьшее в семье", "lowest in household"),
        "_max": ("отбасындағы ең көп мән", "наибольшее в семье", "highest in household"),
    ]

    /// A feature's name in plain words, in `language` (kk, ru or en).
    public static func label(_ feature: String, language: String) -> String {
        func pick(_ t: (kk: String, ru: String, en: String)) -> String {
            switch language { case "kk": t.kk; case "ru": t.ru; default: t.en }
        }
        if let t = labels[feature] { return pick(t) }
        for (suffix, s) in suffixes where feature.hasSuffix(suffix) {
            let base = String(feature.dropLast(suffix.count))
            if let t = labels[base] { return "\(pick(t)) (\(pick(s)))" }
        }
        return feature
    }

    // MARK: published figures

    /// Regional subsistence minimum (ПМ), tenge per person per month: BNS monthly figures, average of Aug and Sep 2025
    /// (lada.kz 142785 and 143997, alau.kz 30.09.2025, citing the Bureau of National Statistics; see
    /// docs/research/asp-rules-and-figures.md §3.2). Regions whose figures were not found use the national one.
    public static let subsistenceMinimum2025: [String: Double] = [
        "470000000": 73635, // Mangystau
        "630000000": 66618, // East Kazakhstan
        "190000000": 65788, // Almaty region
        "710000000": 65950, // Astana
        "750000000": 65612, // Almaty city
        "100000000": 63509, // Abai
        "620000000": 63326, // Ulytau
        "110000000": 61923, // Akmola
        "590000000": 62089, // North Kazakhstan
        "790000000": 61349, // Shymkent
        "350000000": 60061, // Karaganda
        "330000000": 59420, // Zhetisu
        "390000000": 59060, // Kostanay
    ]
    /// National ПМ, average of Aug and Sep 2025 (62,180 and 61,979; same sources).
    public static let nationalSubsistenceMinimum2025 = 62080.0

    /// Share of people with income below the subsistence minimum, Q3 2025 (BNS via news.mail.ru 69187241, 22.12.2025):
    /// national 5.3%; the regions it names. Others take the national share.
    public static let povertyShareQ3_2025: [String: Double] = [
        "610000000": 0.090, // Turkestan
        "470000000": 0.082, // Mangystau
        "100000000": 0.079, // Abai
        "790000000": 0.066, // Shymkent
        "750000000": 0.050, // Almaty city
        "710000000": 0.027, // Astana
    ]
    public static let nationalPovertyShare = 0.053

    /// Child supplement: 1.5 MCI per child aged 1–6 in ASP families; MCI 2026 = 4,325 tenge (Law on the republican budget;
    /// baq.kz 23.12.2025) → 6,487.5 tenge.
    public static let childSupplement2026 = 1.5 * 4325

    /// Built-in rule figures for every top-level region and the quarters from 2025Q1 to 2027Q4: the regional ПМ above
    /// (the median term is left out because no published regional median was found — the line then rests on 70% of ПМ).
    public static func builtInFigures(regions: [String]) -> [RegionQuarterFigures] {
        var out: [RegionQuarterFigures] = []
        for r in regions {
            let pm = subsistenceMinimum2025[r] ?? nationalSubsistenceMinimum2025
            let source = subsistenceMinimum2025[r] != nil
                ? "BNS regional subsistence minimum, Aug–Sep 2025 average (docs/research/asp-rules-and-figures.md §3.2)"
                : "BNS national subsistence minimum, Aug–Sep 2025 average (regional figure not found; docs/research/asp-rules-and-figures.md §3.2)"
            for y in 2025...2027 { for q in 1...4 {
                let carried = y > 2025 ? "; 2025 figure carried forward until the current one is set (PUT /v1/assistance/figures)" : ""
                out.append(RegionQuarterFigures(region: r, quarter: try! Quarter(year: y, quarter: q), medianIncome: nil,
                                                subsistenceMinimum: pm, source: source + carried))
            } }
        }
        return out
    }
}
