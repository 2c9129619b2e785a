import Foundation

/// Aqyl's one offence taxonomy (version `aqyl-offences-1`): every source's categories map onto these codes through
/// its schema file in `schemas/`. Codes are dotted paths; a parent code covers its children (`theft` covers
/// `theft.vehicle`), so a source that cannot tell the children apart maps to the parent (police.uk's
/// "Violence and sexual offences" → `violence`).
///
/// The top level follows the Home Office crime types published by data.police.uk (the 14 street-level
/// categories) because they are the coarsest public scheme that the other sources refine; calls for service add
/// the non-crime classes (`service`, `suspicious`, `traffic`) that a police dispatch system records besides
/// offences. Kazakhstan's Criminal Code articles (Form 1-M) map onto the same codes in their schema.
public enum OffenceTaxonomy {
    public static let version = "aqyl-offences-1"

    public struct Entry: Sendable, Equatable, Codable {
        public var code: String
        public var en: String
        public var ru: String
        /// What belongs here, in one line.
        public var scope: String
        /// Whether it is a criminal offence (false for service calls, suspicious-activity checks, traffic hazards).
        public var offence: Bool

        public var parent: String? {
            guard let dot = code.lastIndex(of: ".") else { return nil }
            return String(code[..<dot])
        }
    }

    public static let entries: [Entry] = [
        Entry(code: "violence", en: "Violence against the person", ru: "Насильственные преступления против личности",
              scope: "homicide, assault, threats, sexual offences, shootings", offence: true),
        Entry(code: "violence.homicide", en: "Homicide", ru: "Убийство",
              scope: "murder and manslaughter, attempts included", offence: true),
        Entry(code: "violence.assault", en: "Assault", ru: "Причинение вреда здоровью, побои",
              scope: "assault, wounding, stabbing, battery", offence: true),
        Entry(code: "violence.shooting", en: "Shooting", ru: "Стрельба",
              scope: "shots fired, shootings", offence: true),
        Entry(code: "violence.threat", en: "Threat", ru: "Угроза",
              scope: "threats to kill or harm, with or without a weapon", offence: true),
        Entry(code: "violence.sexual", en: "Sexual offence", ru: "Половые преступления",
              scope: "rape, sexual assault, sexual exploitation", offence: true),
        Entry(code: "robbery", en: "Robbery", ru: "Грабёж и разбой",
              scope: "theft with force or the threat of force", offence: true),
        Entry(code: "burglary", en: "Burglary", ru: "Кража с проникновением в жилище или помещение",
              scope: "entering a building to steal; prowlers", offence: true),
        Entry(code: "theft", en: "Theft", ru: "Кража",
              scope: "taking property without force", offence: true),
        Entry(code: "theft.vehicle", en: "Vehicle crime", ru: "Угон и кражи из транспортных средств",
              scope: "theft of or from a motor vehicle, vehicles recovered", offence: true),
        Entry(code: "theft.shoplifting", en: "Shoplifting", ru: "Кража из магазина", scope: "theft from shops", offence: true),
        Entry(code: "theft.person", en: "Theft from the person", ru: "Карманная кража",
              scope: "pickpocketing and snatching without force", offence: true),
        Entry(code: "theft.bicycle", en: "Bicycle theft", ru: "Кража велосипеда", scope: "bicycles", offence: true),
        Entry(code: "theft.other", en: "Other theft", ru: "Иные кражи", scope: "any other theft", offence: true),
        Entry(code: "fraud", en: "Fraud", ru: "Мошенничество", scope: "fraud, identity theft, forgery", offence: true),
        Entry(code: "damage", en: "Criminal damage and arson", ru: "Умышленное повреждение имущества, поджог",
              scope: "vandalism, graffiti, arson", offence: true),
        Entry(code: "public-order", en: "Public order", ru: "Нарушение общественного порядка",
              scope: "disturbances, hooliganism, harassment in public", offence: true),
        Entry(code: "drugs", en: "Drugs", ru: "Наркопреступления", scope: "possession, supply, production", offence: true),
        Entry(code: "weapons", en: "Possession of weapons", ru: "Незаконный оборот оружия",
              scope: "carrying or possessing weapons, explosive devices", offence: true),
        Entry(code: "vice", en: "Vice", ru: "Проституция, азартные игры, алкоголь",
              scope: "prostitution, gambling, liquor law; drugs when the source does not separate them", offence: true),
        Entry(code: "anti-social", en: "Anti-social behaviour", ru: "Антиобщественное поведение",
              scope: "nuisance, noise, unwanted persons; not a crime in every source", offence: false),
        Entry(code: "traffic", en: "Road traffic", ru: "Дорожно-транспортные происшествия и нарушения",
              scope: "collisions, hit and run, impaired driving, road hazards", offence: false),
        Entry(code: "traffic.collision", en: "Collision", ru: "ДТП", scope: "collisions with or without injury, hit and run", offence: true),
        Entry(code: "traffic.impaired", en: "Impaired driving", ru: "Вождение в состоянии опьянения", scope: "DUI", offence: true),
        Entry(code: "traffic.hazard", en: "Road hazard", ru: "Опасность на дороге", scope: "hazards, wrong-way drivers, stops", offence: false),
        Entry(code: "suspicious", en: "Suspicious activity", ru: "Подозрительная активность",
              scope: "suspicious persons or vehicles, area and premise checks", offence: false),
        Entry(code: "service", en: "Service and welfare", ru: "Помощь и проверки благополучия",
              scope: "welfare checks, assistance, civil matters, lost property, follow-ups, warrants", offence: false),
        Entry(code: "other-crime", en: "Other crime", ru: "Иные преступления", scope: "offences in no other class", offence: true),
    ]

    private static let byCode: [String: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.code, $0) })

    public static func entry(_ code: String) -> Entry? { byCode[code] }

    public static func isKnown(_ code: String) -> Bool { byCode[code] != nil }

    /// True when `code` is `query` or one of its descendants; the query `ALL` (any case) matches every code.
    public static func matches(_ code: String, query: String) -> Bool {
        if query.uppercased() == "ALL" { return true }
        return code == query || code.hasPrefix(query + ".")
    }

    /// Validates a `--category` value: `ALL` or a known code.
    public static func validateQuery(_ query: String) -> String? {
        if query.uppercased() == "ALL" || isKnown(query) { return nil }
        return "unknown category '\(query)'; use ALL or one of: \(entries.map(\.code).joined(separator: ", "))"
    }
}
