import AqylKit
import Foundation

/// One entry of the append-only audit log. Each entry carries the hash of the one before it, so any
/// edit, deletion or reordering breaks the chain (`AuditChain.verify`).
public struct AuditEntry: Sendable, Codable, Equatable {
    public var seq: Int64
    public var at: Date
    /// Username of the actor, or `system`.
    public var actor: String
    /// Verb, e.g. `recommendation.create`, `recommendation.read`, `user.create`.
    public var action: String
    public var entityType: String
    public var entityId: String
    public var regionKato: String?
    /// True when the action read personal data.
    public var personal: Bool
    /// Free detail (no raw identifiers: IINs are masked or pseudonymised).
    public var detail: String
    public var prevHash: String
    public var hash: String

    public init(seq: Int64, at: Date, actor: String, action: String, entityType: String, entityId: String,
                regionKato: String?, personal: Bool, detail: String, prevHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityId = entityId
        self.regionKato = regionKato
        self.personal = personal
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// What a caller asks to record; the store assigns `seq`, time and hashes.
public struct AuditEvent: Sendable, Equatable {
    public var actor: String
    public var action: String
    public var entityType: String
    public var entityId: String
    public var regionKato: String?
    public var personal: Bool
    public var detail: String

    public init(actor: String, action: String, entityType: String, entityId: String,
                regionKato: String? = nil, personal: Bool = false, detail: String = "") {
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityId = entityId
        self.regionKato = regionKato
        self.personal = personal
        self.detail = detail
    }
}

public enum AuditChain {
    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 over the previous hash and every field, length-prefixed so no two field lists collide.
    public static func hash(seq: Int64, atMillis: Int64, actor: String, action: String, entityType: String,
                            entityId: String, regionKato: String?, personal: Bool, detail: String,
                            prevHash: String) -> String {
        var s = ""
        for part in [prevHash, String(seq), String(atMillis), actor, action, entityType, entityId,
                     regionKato ?? "", personal ? "1" : "0", detail] {
            s += "\(part.utf8.count):\(part)|"
        }
        return Hashing.sha256Hex(s)
    }

    public static func hash(of e: AuditEntry) -> String {
        hash(seq: e.seq, atMillis: Clock.millis(e.at), actor: e.actor, action: e.action, entityType: e.entityType,
             entityId: e.entityId, regionKato: e.regionKato, personal: e.personal, detail: e.detail,
             prevHash: e.prevHash)
    }

    public struct Problem: Sendable, Codable, Equatable {
        public var seq: Int64
        public var kind: String
        public var message: String
    }

    public struct Report: Sendable, Codable, Equatable {
        public var ok: Bool
        public var entries: Int
        public var headSeq: Int64
        public var headHash: String
        public var problems: [Problem]
    }

    /// Checks a whole log in `seq` order against the recorded head (last seq and hash).
    public static func verify(_ entries: [AuditEntry], headSeq: Int64?, headHash: String?) -> Report {
        var problems: [Problem] = []
        var prev = genesis
        var expectedSeq: Int64 = 1
        for e in entries {
            if e.seq != expectedSeq {
                problems.append(Problem(seq: e.seq, kind: "gap",
                                        message: "expected entry \(expectedSeq), found \(e.seq): entries deleted or reordered"))
                expectedSeq = e.seq
            }
            if e.prevHash != prev {
                problems.append(Problem(seq: e.seq, kind: "broken_link",
                                        message: "entry \(e.seq) does not follow the entry before it"))
            }
            if hash(of: e) != e.hash {
                problems.append(Problem(seq: e.seq, kind: "edited", message: "entry \(e.seq) was changed after it was written"))
            }
            prev = e.hash
            expectedSeq += 1
        }
        let lastSeq = entries.last?.seq ?? 0
        if let hs = headSeq, hs != lastSeq {
            problems.append(Problem(seq: hs, kind: "truncated",
                                    message: "the head records entry \(hs) but the log ends at \(lastSeq)"))
        } else if let hh = headHash, hh != (entries.last?.hash ?? genesis) {
            problems.append(Problem(seq: lastSeq, kind: "head_mismatch", message: "the last entry's hash does not match the head"))
        }
        return Report(ok: problems.isEmpty, entries: entries.count, headSeq: headSeq ?? lastSeq,
                      headHash: headHash ?? prev, problems: problems)
    }
}

/// Time source, injectable for tests.
public struct Clock: Sendable {
    private let nowFn: @Sendable () -> Date
    public init(_ now: @escaping @Sendable () -> Date) { self.nowFn = now }
    public func now() -> Date {
        // Millisecond precision: what the store keeps.
        Clock.date(millis: Clock.millis(nowFn()))
    }
    public static let system = Clock { Date() }
    public static func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
