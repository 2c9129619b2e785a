import Foundation

/// Kazakhstan's administrative hierarchy as shipped with Aqyl: the centre, the 17 regions and the 3 cities of
/// republican significance, and the districts of Astana, Almaty, Shymkent and Akmola region.
/// Load the full, current classifier with `aqyl regions import` (see `KATOImporter`).
///
/// Sources (checked November 2026):
/// - KATO codes and Kazakh/Russian names: the statistics bureau's classifier НК РК 11 (stat.gov.kz, classifier 21),
///   edition "NK RK 11-2025", as converted in github.com/cihancacan/medsestra-kz
///   `lib/ambulance-locations.generated.ts` (regions, cities and city districts); Akmola districts from the 2022 KATO
///   dump in github.com/nikita-astakhnovich-idf/CsvParser `src/main/resources/DirectoryKato.csv`.
///   Russian names keep KATO's own spelling ("область Абай", "г.Астана").
/// - ISO 3166-2:KZ: the current numeric codes (KZ-10 … KZ-79, equal to the first two KATO digits), which replaced the
///   letter codes (KZ-AKM, KZ-AST, …) in ISO's 2022 update; cross-checked against github.com/stumpylog/simpleiso3166
///   `src/simpleiso3166/subdivisions/data/KZ.py` and Wikipedia's "ISO 3166-2:KZ".
/// - English names: conventional English forms (ISO's English short names where they exist); Kazakhstan publishes no
///   official English edition of KATO.
/// Abai, Zhetysu and Ulytau regions exist since June 2022 (Decree of the President of RK No. 887 of 3 May 2022).
public enum KazakhstanRegions {
    public static let centre = Region(kato: Region.centreCode, parent: nil, level: .centre, iso: "KZ",
                                      nameKk: "Қазақстан Республикасы", nameRu: "Республика Казахстан",
                                      nameEn: "Republic of Kazakhstan")

    public static let all: [Region] = [centre] + regions + districts

    /// The 17 regions (oblys) and 3 cities of republican significance.
    public static var regions: [Region] { shipped.filter { $0.level == .region } }
    public static var districts: [Region] { shipped.filter { $0.level == .district } }

    static let shipped: [Region] = [
        Region(kato: "100000000", parent: "000000000", level: .region, iso: "KZ-10", nameKk: "Абай облысы", nameRu: "область Абай", nameEn: "Abai Region"),
        Region(kato: "110000000", parent: "000000000", level: .region, iso: "KZ-11", nameKk: "Ақмола облысы", nameRu: "Акмолинская область", nameEn: "Akmola Region"),
        Region(kato: "150000000", parent: "000000000", level: .region, iso: "KZ-15", nameKk: "Ақтөбе облысы", nameRu: "Актюбинская область", nameEn: "Aktobe Region"),
        Region(kato: "190000000", parent: "000000000", level: .region, iso: "KZ-19", nameKk: "Алматы облысы", nameRu: "Алматинская область", nameEn: "Almaty Region"),
        Region(kato: "230000000", parent: "000000000", level: .region, iso: "KZ-23", nameKk: "Атырау облысы", nameRu: "Атырауская область", nameEn: "Atyrau Region"),
        Region(kato: "270000000", parent: "000000000", level: .region, iso: "KZ-27", nameKk: "Батыс Қазақстан облысы", nameRu: "Западно-Казахстанская область", nameEn: "West Kazakhstan Region"),
        Region(kato: "310000000", parent: "000000000", level: .region, iso: "KZ-31", nameKk: "Жамбыл облысы", nameRu: "Жамбылская область", nameEn: "Zhambyl Region"),
        Region(kato: "330000000", parent: "000000000", level: .region, iso: "KZ-33", nameKk: "Жетісу облысы", nameRu: "область Жетісу", nameEn: "Zhetysu Region"),
        Region(kato: "350000000", parent: "000000000", level: .region, iso: "KZ-35", nameKk: "Қарағанды облысы", nameRu: "Карагандинская область", nameEn: "Karaganda Region"),
        Region(kato: "390000000", parent: "000000000", level: .region, iso: "KZ-39", nameKk: "Қостанай облысы", nameRu: "Костанайская область", nameEn: "Kostanay Region"),
        Region(kato: "430000000", parent: "000000000", level: .region, iso: "KZ-43", nameKk: "Қызылорда облысы", nameRu: "Кызылординская область", nameEn: "Kyzylorda Region"),
        Region(kato: "470000000", parent: "000000000", level: .region, iso: "KZ-47", nameKk: "Маңғыстау облысы", nameRu: "Мангистауская область", nameEn: "Mangystau Region"),
        Region(kato: "550000000", parent: "000000000", level: .region, iso: "KZ-55", nameKk: "Павлодар облысы", nameRu: "Павлодарская область", nameEn: "Pavlodar Region"),
        Region(kato: "590000000", parent: "000000000", level: .region, iso: "KZ-59", nameKk: "Солтүстік Қазақстан облысы", nameRu: "Северо-Казахстанская область", nameEn: "North Kazakhstan Region"),
        Region(kato: "610000000", parent: "000000000", level: .region, iso: "KZ-61", nameKk: "Түркістан облысы", nameRu: "Туркестанская область", nameEn: "Turkistan Region"),
        Region(kato: "620000000", parent: "000000000", level: .region, iso: "KZ-62", nameKk: "Ұлытау облысы", nameRu: "область Ұлытау", nameEn: "Ulytau Region"),
        Region(kato: "630000000", parent: "000000000", level: .region, iso: "KZ-63", nameKk: "Шығыс Қазақстан облысы", nameRu: "Восточно-Казахстанская область", nameEn: "East Kazakhstan Region"),
        Region(kato: "710000000", parent: "000000000", level: .region, iso: "KZ-71", nameKk: "Астана қаласы", nameRu: "г.Астана", nameEn: "Astana"),
        Region(kato: "750000000", parent: "000000000", level: .region, iso: "KZ-75", nameKk: "Алматы қаласы", nameRu: "г.Алматы", nameEn: "Almaty"),
        Region(kato: "790000000", parent: "000000000", level: .region, iso: "KZ-79", nameKk: "Шымкент қаласы", nameRu: "г.Шымкент", nameEn: "Shymkent"),
        Region(kato: "711110000", parent: "710000000", level: .district, iso: nil, nameKk: "Алматы ауданы", nameRu: "район Алматы", nameEn: "Almaty District"),
        Region(kato: "711210000", parent: "710000000", level: .district, iso: nil, nameKk: "Есіл ауданы", nameRu: "район Есиль", nameEn: "Yesil (Esil) District"),
        Region(kato: "711310000", parent: "710000000", level: .district, iso: nil, nameKk: "Сарыарқа ауданы", nameRu: "район Сарыарка", nameEn: "Saryarka District"),
        Region(kato: "711410000", parent: "710000000", level: .district, iso: nil, nameKk: "Байқоңыр ауданы", nameRu: "район Байқоңыр", nameEn: "Baikonyr District"),
        Region(kato: "711510000", parent: "710000000", level: .district, iso: nil, nameKk: "Нұра ауданы", nameRu: "район Нұра", nameEn: "Nura District"),
        Region(kato: "711610000", parent: "710000000", level: .district, iso: nil, nameKk: "Сарайшық ауданы", nameRu: "район Сарайшық", nameEn: "Saraishyk District"),
        Region(kato: "751110000", parent: "750000000", level: .district, iso: nil, nameKk: "Алмалы ауданы", nameRu: "Алмалинский район", nameEn: "Almaly District"),
        Region(kato: "751210000", parent: "750000000", level: .district, iso: nil, nameKk: "Алатау ауданы", nameRu: "Алатауский район", nameEn: "Alatau District"),
        Region(kato: "751310000", parent: "750000000", level: .district, iso: nil, nameKk: "Әуезов ауданы", nameRu: "Ауэзовский район", nameEn: "Auezov District"),
        Region(kato: "751410000", parent: "750000000", level: .district, iso: nil, nameKk: "Бостандық ауданы", nameRu: "Бостандыкский район", nameEn: "Bostandyk District"),
        Region(kato: "751510000", parent: "750000000", level: .district, iso: nil, nameKk: "Жетісу ауданы", nameRu: "Жетысуский район", nameEn: "Zhetysu District"),
        Region(kato: "751710000", parent: "750000000", level: .district, iso: nil, nameKk: "Медеу ауданы", nameRu: "Медеуский район", nameEn: "Medeu District"),
        Region(kato: "751810000", parent: "750000000", level: .district, iso: nil, nameKk: "Наурызбай ауданы", nameRu: "Наурызбайский район", nameEn: "Nauryzbay District"),
        Region(kato: "751910000", parent: "750000000", level: .district, iso: nil, nameKk: "Түрксіб ауданы", nameRu: "Турксибский район", nameEn: "Turksib District"),
        Region(kato: "791110000", parent: "790000000", level: .district, iso: nil, nameKk: "Абай ауданы", nameRu: "Абайский район", nameEn: "Abai District"),
        Region(kato: "791310000", parent: "790000000", level: .district, iso: nil, nameKk: "Әл Фараби ауданы", nameRu: "Аль-Фарабийский район", nameEn: "Al-Farabi District"),
        Region(kato: "791510000", parent: "790000000", level: .district, iso: nil, nameKk: "Еңбекші ауданы", nameRu: "Енбекшинский район", nameEn: "Yenbekshi (Enbekshi) District"),
        Region(kato: "791710000", parent: "790000000", level: .district, iso: nil, nameKk: "Қаратау ауданы", nameRu: "Каратауский район", nameEn: "Karatau District"),
        Region(kato: "791910000", parent: "790000000", level: .district, iso: nil, nameKk: "Тұран ауданы", nameRu: "район Тұран", nameEn: "Turan District"),
        Region(kato: "113200000", parent: "110000000", level: .district, iso: nil, nameKk: "Ақкөл ауданы", nameRu: "Аккольский район", nameEn: "Akkol District"),
        Region(kato: "113400000", parent: "110000000", level: .district, iso: nil, nameKk: "Аршалы ауданы", nameRu: "Аршалынский район", nameEn: "Arshaly District"),
        Region(kato: "113600000", parent: "110000000", level: .district, iso: nil, nameKk: "Астрахан ауданы", nameRu: "Астраханский район", nameEn: "Astrakhan District"),
        Region(kato: "113800000", parent: "110000000", level: .district, iso: nil, nameKk: "Атбасар ауданы", nameRu: "Атбасарский район", nameEn: "Atbasar District"),
        Region(kato: "114000000", parent: "110000000", level: .district, iso: nil, nameKk: "Бұланды ауданы", nameRu: "Буландынский район", nameEn: "Bulandy District"),
        Region(kato: "114400000", parent: "110000000", level: .district, iso: nil, nameKk: "Егіндікөл ауданы", nameRu: "Егиндыкольский район", nameEn: "Egindykol District"),
        Region(kato: "114500000", parent: "110000000", level: .district, iso: nil, nameKk: "Біржан сал ауданы", nameRu: "район Биржан сал", nameEn: "Birzhan Sal District"),
        Region(kato: "114600000", parent: "110000000", level: .district, iso: nil, nameKk: "Ерейментау ауданы", nameRu: "Ерейментауский район", nameEn: "Ereymentau District"),
        Region(kato: "114800000", parent: "110000000", level: .district, iso: nil, nameKk: "Есіл ауданы", nameRu: "Есильский район", nameEn: "Esil District"),
        Region(kato: "115200000", parent: "110000000", level: .district, iso: nil, nameKk: "Жақсы ауданы", nameRu: "Жаксынский район", nameEn: "Zhaksy District"),
        Region(kato: "115400000", parent: "110000000", level: .district, iso: nil, nameKk: "Жарқайың ауданы", nameRu: "Жаркаинский район", nameEn: "Zharkain District"),
        Region(kato: "115600000", parent: "110000000", level: .district, iso: nil, nameKk: "Зеренді ауданы", nameRu: "Зерендинский район", nameEn: "Zerendi District"),
        Region(kato: "116000000", parent: "110000000", level: .district, iso: nil, nameKk: "Қорғалжын ауданы", nameRu: "Коргалжынский район", nameEn: "Korgalzhyn District"),
        Region(kato: "116400000", parent: "110000000", level: .district, iso: nil, nameKk: "Сандықтау ауданы", nameRu: "Сандыктауский район", nameEn: "Sandyktau District"),
        Region(kato: "116600000", parent: "110000000", level: .district, iso: nil, nameKk: "Целиноград ауданы", nameRu: "Целиноградский район", nameEn: "Tselinograd District"),
        Region(kato: "116800000", parent: "110000000", level: .district, iso: nil, nameKk: "Шортанды ауданы", nameRu: "Шортандинский район", nameEn: "Shortandy District"),
        Region(kato: "117000000", parent: "110000000", level: .district, iso: nil, nameKk: "Бурабай ауданы", nameRu: "Бурабайский район", nameEn: "Burabay District"),
    ]

    public static let source = "Aqyl built-in: KATO НК РК 11-2025 (regions, cities, districts of Astana, Almaty, Shymkent, Akmola)"
}
