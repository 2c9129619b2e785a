import Foundation

/// A node of Kazakhstan's administrative hierarchy, identified by its 9-digit KATO code
/// (Classifier of Administrative-Territorial Objects, НК РК 11-2009 / ҚР ҰЖ 11-2009).
public struct Region: Sendable, Codable, Hashable {
    /// Level in Aqyl's operational tree: centre → region (oblys or city of republican significance)
    /// → district (audan or city district) → deeper KATO levels kept as `locality`.
    public enum Level: String, Sendable, Codable, CaseIterable, Comparable {
        case centre, region, district, locality
        var rank: Int { Level.allCases.firstIndex(of: self)! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    public var kato: String
    public var parent: String?
    public var level: Level
    /// ISO 3166-2:KZ code for regions and cities of republican significance.
    public var iso: String?
    public var nameKk: String
    public var nameRu: String
    public var nameEn: String?

    public init(kato: String, parent: String?, level: Level, iso: String? = nil,
                nameKk: String, nameRu: String, nameEn: String? = nil) {
        self.kato = kato
        self.parent = parent
        self.level = level
        self.iso = iso
        self.nameKk = nameKk
        self.nameRu = nameRu
        self.nameEn = nameEn
    }

    /// The whole country: the root of every scope. Not a KATO code; Aqyl's own.
    public static let centreCode = "000000000"

    /// Validates a KATO code: 9 digits.
    public static func validateCode(_ code: String, field: String = "kato") throws(AqylError) {
        guard code.utf8.count == 9, code.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw .invalid(field, "KATO code must be 9 digits, got '\(code.prefix(20))'", code: "invalid_kato")
        }
    }

    /// Candidate ancestors implied by the KATO code structure AB CD EF HIJ, nearest first:
    /// ABCDEF000, ABCD00000, AB0000000, then the centre.
    public static func structuralAncestors(of code: String) -> [String] {
        let c = Array(code)
        guard c.count == 9 else { return [centreCode] }
        var out: [String] = []
        let candidates = [
            String(c[0..<6]) + "000",
            String(c[0..<4]) + "00000",
            String(c[0..<2]) + "0000000",
        ]
        for cand in candidates where cand != code && !out.contains(cand) && cand.count == 9 {
            // Only proper ancestors: a candidate equal to or "below" the code is skipped.
            out.append(cand)
        }
        if code != centreCode { out.append(centreCode) }
        return out
    }
}

/// An in-memory view of the hierarchy used for scope checks: who may see what.
public struct RegionDirectory: Sendable {
    public private(set) var byCode: [String: Region]
    private var childrenByCode: [String: [String]]

    public init(_ regions: [Region]) {
        byCode = Dictionary(regions.map { ($0.kato, $0) }, uniquingKeysWith: { _, b in b })
        var children: [String: [String]] = [:]
        for r in regions { if let p = r.parent { children[p, default: []].append(r.kato) } }
        for k in children.keys { children[k]!.sort() }
        childrenByCode = children
    }

    public func region(_ code: String) -> Region? { byCode[code] }

    public func children(of code: String) -> [Region] {
        (childrenByCode[code] ?? []).compactMap { byCode[$0] }
    }

    /// The chain from `code` up to the centre, `code` first.
    public func path(to code: String) -> [Region] {
        var out: [Region] = []
        var cur: String? = code
        var guardCount = 0
        while let c = cur, let r = byCode[c], guardCount < 16 {
            out.append(r)
            cur = r.parent
            guardCount += 1
        }
        return out
    }

    /// True when `node` is `scope` itself or lies below it.
    public func isWithin(_ node: String, scope: String) -> Bool {
        if scope == Region.centreCode { return byCode[node] != nil || node == scope }
        return path(to: node).contains { $0.kato == scope }
    }

    /// `scope` and every node below it.
    public func subtree(of scope: String) -> [String] {
        var out: [String] = []
        var stack = [scope]
        while let c = stack.popLast() {
            guard byCode[c] != nil else { continue }
            out.append(c)
            stack.append(contentsOf: childrenByCode[c] ?? [])
        }
        return out
    }
}
