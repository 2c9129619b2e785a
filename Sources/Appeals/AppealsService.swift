import AqylCore
import AqylKit
import AqylStore
import Crypto
import Foundation
import SQLKit

/// Intake, routing, control and analytics of citizen reports, over the platform store.
/// Every write lands with its audit entry in one transaction; every official's read is audited.
public final class AppealsService: Sendable {
    public let store: AqylStore
    public let config: AppealsConfig
    public let triage: AppealTriage
    public let locator: DistrictLocator

    public init(store: AqylStore, config: AppealsConfig = AppealsConfig(), triage: AppealTriage? = nil,
                locator: DistrictLocator = DistrictLocator()) throws {
        self.store = store
        self.config = config
        self.triage = try triage ?? AppealTriage.load(modelPath: config.triageModelPath)
        self.locator = locator
    }

    var clock: Clock { store.clock }

    // MARK: routing

    struct Route { var location: String; var region: String; var queue: String; var level: Region.Level; var kind: QueueKind }

    /// Where a report goes: its district's control centre, or for police complaints the region's internal-security unit.
    func route(_ s: AppealSubmission, names: AppealSubmission.FieldNames, dir: RegionDirectory) throws(AqylError) -> Route {
        let location: String
        if let k = s.kato {
            guard let r = dir.region(k), r.level != .centre else {
                throw .invalid(names.kato, "unknown KATO code \(k)", code: "unknown_region")
            }
            location = k
        } else if let la = s.lat, let lo = s.lon {
            guard let hit = locator.district(lat: la, lon: lo), dir.region(hit.kato) != nil else {
                throw AqylError(.unprocessable, code: "location_outside_coverage",
                                "'\(names.lat)'/'\(names.lon)' (\(la), \(lo)) is not within any district Aqyl knows (Astana, Almaty, Shymkent, Akmola region); send '\(names.kato)' instead",
                                field: names.lat)
            }
            location = hit.kato
        } else {
            throw .missing(names.lat)
        }
        let path = dir.path(to: location)
        guard let region = path.first(where: { $0.level == .region }) else {
            throw .invalid(names.kato, "KATO code \(location) lies in no region", code: "unknown_region")
        }
        if s.category.queueKind == .internalSecurity {
            return Route(location: location, region: region.kato, queue: region.kato, level: .region, kind: .internalSecurity)
        }
        let node = path.first(where: { $0.level == .district }) ?? region
        return Route(location: location, region: region.kato, queue: node.kato, level: node.level, kind: .controlCentre)
    }

    // MARK: clearances and visibility

    public func clearances(userId: String) async throws -> Set<Clearance> {
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("SELECT clearance FROM appeals_clearances WHERE user_id = \(bind: userId)").all()
        }
        return Set(try rows.compactMap { Clearance(rawValue: try $0.decode(column: "clearance", as: String.self)) })
    }

    /// Grants `clearance` to `username` (an admin whose node contains the user's), audited.
    public func grant(_ clearance: Clearance, to username: String, by admin: Principal) async throws {
        try admin.require(.admin)
        let dir = try await store.directory()
        guard let user = try await store.user(username: username), dir.isWithin(user.regionKato, scope: admin.regionKato) else {
            throw AqylError.notFound("user \(username)", field: "username")
        }
        let now = clock.now()
        let dialect = store.db.dialect
        try await store.db.transaction { sql in
            try await sql.raw("DELETE FROM appeals_clearances WHERE user_id = \(bind: user.id) AND clearance = \(bind: clearance.rawValue)").run()
            try await sql.raw("""
                INSERT INTO appeals_clearances (user_id, clearance, granted_by, granted_at)
                VALUES (\(bind: user.id), \(bind: clearance.rawValue), \(bind: admin.username), \(bind: Clock.millis(now)))
                """).run()
            _ = try await AuditLog.append(
                AuditEvent(actor: admin.username, action: "appeals.clearance.grant", entityType: "user", entityId: user.id,
                           regionKato: user.regionKato, detail: "\(username): \(clearance.rawValue)"),
                on: sql, dialect: dialect, at: now)
        }
    }

    /// The visibility rule: the report's location lies within the reader's node, and a restricted category needs
    /// the reader's clearance for it. Police complaints are, besides, never visible from a district node: they
    /// belong to the region's internal-security unit, not to any district unit.
    public func canSee(_ r: AppealReport, reader: Principal, clearances: Set<Clearance>, dir: RegionDirectory) -> Bool {
        guard dir.isWithin(r.locationKato, scope: reader.regionKato) else { return false }
        if let needed = r.category.requiredClearance, !clearances.contains(needed) { return false }
        if r.category == .policeComplaint {
            guard let level = dir.region(reader.regionKato)?.level, level <= .region else { return false }
        }
        return true
    }

    // MARK: intake

    /// Accepts a report. With an idempotency key, a retry with the same body returns the original (and the same
    /// tracking token); the same key with a different body is a 409. Never two reports for one key.
    public func submit(_ s: AppealSubmission, idempotencyKey: String?, client: Principal,
                       names: AppealSubmission.FieldNames = .native) async throws -> SubmitOutcome {
        try client.require(.integrator, .operator, .admin)
        try s.validate(names: names)
        if let key = idempotencyKey {
            guard !key.isEmpty, key.count <= 200, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw AqylError.invalid("idempotency_key", "idempotency key must be 1–200 visible ASCII characters")
            }
        }
        let digest = s.digest
        if let key = idempotencyKey, let replay = try await replay(key: key, digest: digest, client: client) { return replay }
        let dir = try await store.directory()
        let route = try route(s, names: names, dir: dir)
        try client.requireScope(route.location, in: dir)
        let now = clock.now()
        let id = UUID().uuidString.lowercased()
        let result = triage.run(text: s.description, category: s.category)
        let duplicates = try await nearby(s, now: now)
        let recId: String? = s.category.requiredClearance == nil ? UUID().uuidString.lowercased() : nil
        let report = AppealReport(
            id: id, category: s.category, description: s.description.trimmingCharacters(in: .whitespacesAndNewlines),
            lat: s.lat, lon: s.lon, address: s.address, mediaUrl: s.mediaUrl, locationKato: route.location,
            regionKato: route.region, queueKato: route.queue, queueKind: route.kind, level: route.level, status: .submitted,
            attributes: s.attributes, riskTopics: result.topics, triage: result, duplicates: duplicates,
            recommendationId: recId, channel: s.channel, createdAt: now, updatedAt: now,
            deadlineAt: now.addingTimeInterval(config.deadline(for: s.category)), closedAt: nil, attachments: s.attachments)
        let token = try await trackingToken(for: id)
        let dialect = store.db.dialect
        var rec: Recommendation?
        if let recId {
            let reasons = result.hits.prefix(10).map {
                Reason(feature: "\($0.source):\($0.evidence)", label: "\($0.topic.rawValue) (\($0.source): \($0.evidence))",
                       contribution: $0.score, value: $0.topic.rawValue)
            }
            rec = Recommendation(
                id: recId, subject: "appeal:\(id)", domain: "appeals", modelName: result.modelName,
                modelVersion: result.modelVersion, score: result.score, outcome: result.outcome, reasons: Array(reasons),
                inputDigest: digest, regionKato: route.queue, createdAt: now)
        }
        // The report, its history, idempotency key, tracking token, audit entry and (for non-restricted categories)
        // its recommendation land in one transaction, or none of them does.
        let body: @Sendable (any SQLDatabase) async throws -> Void = { sql in
            if let key = idempotencyKey,
               try await sql.raw("SELECT report_id FROM appeals_idempotency WHERE client_id = \(bind: client.userId) AND idem_key = \(bind: key)").first() != nil {
                throw RaceLost()
            }
            try await Self.insert(report, submittedBy: client.userId, digest: digest, on: sql)
            try await Self.appendHistory(report.id, kind: "submitted", status: .submitted, level: report.level,
                                         queue: report.queueKato, publicNote: AppealStatus.submitted.publicText,
                                         actor: client.username, internalNote: nil, at: now, on: sql)
            if let key = idempotencyKey {
                try await sql.raw("""
                    INSERT INTO appeals_idempotency (client_id, idem_key, body_hash, report_id, created_at)
                    VALUES (\(bind: client.userId), \(bind: key), \(bind: digest), \(bind: id), \(bind: Clock.millis(now)))
                    """).run()
            }
            try await sql.raw("""
                INSERT INTO appeals_tracking (token_hash, report_id, created_at)
                VALUES (\(bind: Hashing.sha256Hex(token)), \(bind: id), \(bind: Clock.millis(now)))
                """).run()
            _ = try await AuditLog.append(
                AuditEvent(actor: client.username, action: "appeal.submit", entityType: "appeal", entityId: id,
                           regionKato: route.queue,
                           detail: "\(s.category.rawValue) via \(s.channel) → \(route.kind.rawValue) \(route.queue); topics \(result.topics.map(\.rawValue).joined(separator: ",")); duplicates \(duplicates.count)"),
                on: sql, dialect: dialect, at: now)
        }
        do {
            if let rec {
                _ = try await store.createRecommendation(rec, actor: client.username, within: body)
            } else {
                try await store.db.transaction(body)
            }
        } catch {
            // A concurrent retry with the same key won the race (or hit the primary key first): answer as a replay.
            if let key = idempotencyKey, let replay = try await replay(key: key, digest: digest, client: client) { return replay }
            throw error
        }
        return SubmitOutcome(report: report, trackingToken: token, replayed: false)
    }

    struct RaceLost: Error {}

    func replay(key: String, digest: String, client: Principal) async throws -> SubmitOutcome? {
        let row = try await store.db.withSQL { sql in
            try await sql.raw("SELECT body_hash, report_id FROM appeals_idempotency WHERE client_id = \(bind: client.userId) AND idem_key = \(bind: key)").first()
        }
        guard let row else { return nil }
        guard try row.decode(column: "body_hash", as: String.self) == digest else {
            throw AqylError(.conflict, code: "idempotency_key_reused",
                            "this idempotency key was used with a different request body", field: "idempotency_key")
        }
        let id = try row.decode(column: "report_id", as: String.self)
        guard let report = try await load(id) else { throw AqylError.notFound("appeal \(id)") }
        return SubmitOutcome(report: report, trackingToken: try await trackingToken(for: id), replayed: true)
    }

    /// The tracking token is HMAC-SHA256 of the report id under a key kept in the database's settings: only its
    /// SHA-256 is stored, yet an idempotent retry can be given the same token again.
    func trackingToken(for id: String) async throws -> String {
        let hex: String
        do {
            hex = try await store.settingOrCreate("appeals_tracking_key") {
                var g = SystemRandomNumberGenerator()
                return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
            }
        } catch {
            // Two first submissions raced to create the key: the other one stored it.
            guard let stored = try await store.setting("appeals_tracking_key") else { throw error }
            hex = stored
        }
        let key = SymmetricKey(data: Data(hex.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("appeals-tracking:\(id)".utf8), using: key)
        return "trk_" + mac.map { String(format: "%02x", $0) }.joined().prefix(40)
    }

    /// Ids of likely duplicates: same category, both located by coordinates, within the configured radius and window.
    func nearby(_ s: AppealSubmission, now: Date) async throws -> [String] {
        guard let la = s.lat, let lo = s.lon else { return [] }
        let since = Clock.millis(now.addingTimeInterval(-config.duplicateWindow))
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("""
                SELECT id, lat, lon FROM appeals_reports
                WHERE category = \(bind: s.category.rawValue) AND created_at >= \(bind: since) AND lat IS NOT NULL
                ORDER BY created_at, id
                """).all()
        }
        var out: [String] = []
        for row in rows {
            guard let a = try row.decode(column: "lat", as: Double?.self), let b = try row.decode(column: "lon", as: Double?.self) else { continue }
            if DistrictLocator.distanceKm(la, lo, a, b) * 1000 <= config.duplicateRadiusMeters {
                out.append(try row.decode(column: "id", as: String.self))
            }
        }
        return Array(out.suffix(20))
    }

    // MARK: storage

    static func json<T: Encodable>(_ v: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(v)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func unjson<T: Decodable>(_ s: String, as: T.Type) -> T? { try? JSONDecoder().decode(T.self, from: Data(s.utf8)) }

    static func insert(_ r: AppealReport, submittedBy: String, digest: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO appeals_reports (id, category, description, lat, lon, address, media_url, location_kato, region_kato,
                queue_kato, queue_kind, level, status, attributes, risk_topics, triage, duplicates, recommendation_id, channel,
                submitted_by, input_digest, created_at, updated_at, deadline_at, closed_at)
            VALUES (\(bind: r.id), \(bind: r.category.rawValue), \(bind: r.description), \(bind: r.lat), \(bind: r.lon),
                \(bind: r.address), \(bind: r.mediaUrl), \(bind: r.locationKato), \(bind: r.regionKato), \(bind: r.queueKato),
                \(bind: r.queueKind.rawValue), \(bind: r.level.rawValue), \(bind: r.status.rawValue), \(bind: json(r.attributes)),
                \(bind: json(r.riskTopics)), \(bind: json(r.triage)), \(bind: json(r.duplicates)), \(bind: r.recommendationId),
                \(bind: r.channel), \(bind: submittedBy), \(bind: digest), \(bind: Clock.millis(r.createdAt)),
                \(bind: Clock.millis(r.updatedAt)), \(bind: Clock.millis(r.deadlineAt)), \(bind: r.closedAt.map(Clock.millis)))
            """).run()
        for (i, a) in r.attachments.enumerated() {
            try await sql.raw("""
                INSERT INTO appeals_attachments (report_id, idx, name, mime_type, size_bytes, sha256, url)
                VALUES (\(bind: r.id), \(bind: i), \(bind: a.name), \(bind: a.mimeType), \(bind: a.size), \(bind: a.sha256), \(bind: a.url))
                """).run()
        }
    }

    static func appendHistory(_ id: String, kind: String, status: AppealStatus, level: Region.Level, queue: String,
                              publicNote: String?, actor: String, internalNote: String?, at: Date,
                              on sql: any SQLDatabase) async throws {
        let next = (try await sql.raw("SELECT MAX(seq) AS m FROM appeals_status_history WHERE report_id = \(bind: id)")
            .first()?.decode(column: "m", as: Int?.self) ?? 0) + 1
        try await sql.raw("""
            INSERT INTO appeals_status_history (report_id, seq, at, kind, status, level, queue_kato, public_note, actor, internal_note)
            VALUES (\(bind: id), \(bind: next), \(bind: Clock.millis(at)), \(bind: kind), \(bind: status.rawValue),
                    \(bind: level.rawValue), \(bind: queue), \(bind: publicNote), \(bind: actor), \(bind: internalNote))
            """).run()
    }

    static func decode(_ row: any SQLRow) throws -> AppealReport {
        let triageJSON = try row.decode(column: "triage", as: String.self)
        return AppealReport(
            id: try row.decode(column: "id", as: String.self),
            category: AppealCategory(rawValue: try row.decode(column: "category", as: String.self)) ?? .appeal,
            description: try row.decode(column: "description", as: String.self),
            lat: try row.decode(column: "lat", as: Double?.self),
            lon: try row.decode(column: "lon", as: Double?.self),
            address: try row.decode(column: "address", as: String?.self),
            mediaUrl: try row.decode(column: "media_url", as: String?.self),
            locationKato: try row.decode(column: "location_kato", as: String.self),
            regionKato: try row.decode(column: "region_kato", as: String.self),
            queueKato: try row.decode(column: "queue_kato", as: String.self),
            queueKind: QueueKind(rawValue: try row.decode(column: "queue_kind", as: String.self)) ?? .controlCentre,
            level: Region.Level(rawValue: try row.decode(column: "level", as: String.self)) ?? .district,
            status: AppealStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .submitted,
            attributes: unjson(try row.decode(column: "attributes", as: String.self), as: [String: String].self) ?? [:],
            riskTopics: unjson(try row.decode(column: "risk_topics", as: String.self), as: [RiskTopic].self) ?? [],
            triage: unjson(triageJSON, as: TriageResult.self)
                ?? TriageResult(topics: [], hits: [], modelName: "", modelVersion: "", outcome: "no_risk", score: 0),
            duplicates: unjson(try row.decode(column: "duplicates", as: String.self), as: [String].self) ?? [],
            recommendationId: try row.decode(column: "recommendation_id", as: String?.self),
            channel: try row.decode(column: "channel", as: String.self),
            createdAt: Clock.date(millis: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Clock.date(millis: try row.decode(column: "updated_at", as: Int64.self)),
            deadlineAt: Clock.date(millis: try row.decode(column: "deadline_at", as: Int64.self)),
            closedAt: try row.decode(column: "closed_at", as: Int64?.self).map(Clock.date(millis:)),
            attachments: [])
    }

    /// One report, unchecked (callers check visibility).
    func load(_ id: String) async throws -> AppealReport? {
        try await store.db.withSQL { sql in
            guard let row = try await sql.raw("SELECT * FROM appeals_reports WHERE id = \(bind: id)").first() else { return nil }
            var r = try Self.decode(row)
            r.attachments = try await sql.raw("SELECT * FROM appeals_attachments WHERE report_id = \(bind: id) ORDER BY idx").all().map {
                AttachmentMeta(name: try $0.decode(column: "name", as: String.self),
                               mimeType: try $0.decode(column: "mime_type", as: String.self),
                               size: try $0.decode(column: "size_bytes", as: Int64.self),
                               sha256: try $0.decode(column: "sha256", as: String.self),
                               url: try $0.decode(column: "url", as: String?.self))
            }
            return r
        }
    }

    func history(_ id: String) async throws -> [StatusEvent] {
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM appeals_status_history WHERE report_id = \(bind: id) ORDER BY seq").all()
        }
        return try rows.map { row in
            StatusEvent(seq: try row.decode(column: "seq", as: Int.self),
                        at: Clock.date(millis: try row.decode(column: "at", as: Int64.self)),
                        kind: try row.decode(column: "kind", as: String.self),
                        status: AppealStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .submitted,
                        level: Region.Level(rawValue: try row.decode(column: "level", as: String.self)) ?? .district,
                        queueKato: try row.decode(column: "queue_kato", as: String.self),
                        publicNote: try row.decode(column: "public_note", as: String?.self),
                        actor: try row.decode(column: "actor", as: String.self),
                        internalNote: try row.decode(column: "internal_note", as: String?.self))
        }
    }

    // MARK: officials

    /// One report with its history, for an official who may see it (others get 404, so ids cannot be probed).
    public func report(id: String, reader: Principal) async throws -> (AppealReport, [StatusEvent]) {
        try reader.require(.officer, .operator, .admin)
        let dir = try await store.directory()
        guard let r = try await load(id),
              canSee(r, reader: reader, clearances: try await clearances(userId: reader.userId), dir: dir) else {
            throw AqylError.notFound("appeal \(id)", field: "id")
        }
        try await store.audit.record(AuditEvent(actor: reader.username, action: "appeal.read", entityType: "appeal",
                                                entityId: id, regionKato: r.queueKato, personal: true))
        return (r, try await history(id))
    }

    public enum StatusFilter: String, Sendable, CaseIterable { case open, closed, any }

    /// Reports an official may see whose location lies within `region` (default: the reader's node), soonest
    /// deadline first. `queuedHere` narrows to the reports the node's own unit holds now (its working queue).
    public func list(reader: Principal, region: String? = nil, status: StatusFilter = .open, queuedHere: Bool = false,
                     category: AppealCategory? = nil, limit: Int = 100) async throws -> [AppealReport] {
        try reader.require(.officer, .operator, .admin)
        let dir = try await store.directory()
        let node = region ?? reader.regionKato
        guard dir.region(node) != nil else { throw AqylError.invalid("region", "unknown region \(node)", code: "unknown_region") }
        guard dir.isWithin(node, scope: reader.regionKato) else {
            throw AqylError.forbidden("region \(node) is outside your scope (\(reader.regionKato))")
        }
        let cl = try await clearances(userId: reader.userId)
        let all = try await scan(under: node, dir: dir)
        let out = all.filter { r in
            guard canSee(r, reader: reader, clearances: cl, dir: dir) else { return false }
            if queuedHere && r.queueKato != node { return false }
            if let category, r.category != category { return false }
            switch status {
            case .open: return !r.status.isClosed
            case .closed: return r.status.isClosed
            case .any: return true
            }
        }.sorted { ($0.deadlineAt, $0.id) < ($1.deadlineAt, $1.id) }.prefix(limit)
        try await store.audit.record(AuditEvent(actor: reader.username, action: "appeal.list", entityType: "appeal", entityId: "*",
                                                regionKato: node, personal: true, detail: "\(out.count) listed, status \(status.rawValue)"))
        return Array(out)
    }

    /// Every report located within `node`'s subtree (no visibility filter: callers apply it).
    func scan(under node: String, dir: RegionDirectory) async throws -> [AppealReport] {
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM appeals_reports ORDER BY created_at, id").all()
        }
        let within = node == Region.centreCode ? nil : Set(dir.subtree(of: node))
        return try rows.map(Self.decode).filter { within?.contains($0.locationKato) ?? true }
    }

    /// Moves a report to a new status; the reporter sees `publicNote` (or the standard wording) through the token.
    public func transition(id: String, to next: AppealStatus, publicNote: String?, note: String?,
                           official: Principal) async throws -> AppealReport {
        try official.require(.officer, .operator, .admin)
        if let p = publicNote, p.count > 1000 { throw AqylError.invalid("public_note", "public_note is longer than 1000 characters") }
        if let n = note, n.count > 4000 { throw AqylError.invalid("note", "note is longer than 4000 characters") }
        let dir = try await store.directory()
        let cl = try await clearances(userId: official.userId)
        guard var r = try await load(id), canSee(r, reader: official, clearances: cl, dir: dir) else {
            throw AqylError.notFound("appeal \(id)", field: "id")
        }
        guard r.status.canMove(to: next) else {
            throw AqylError(.conflict, code: "invalid_transition", "cannot move from \(r.status.rawValue) to \(next.rawValue)", field: "status")
        }
        if next == .rejected && (note ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw AqylError(.badRequest, code: "reason_required", "rejecting a report needs a note", field: "note")
        }
        let now = clock.now()
        let dialect = store.db.dialect
        let prev = r.status
        r.status = next
        r.updatedAt = now
        if next.isClosed { r.closedAt = now }
        let updated = r
        try await store.db.transaction { sql in
            // Only the official whose UPDATE still finds the old status moves it; a concurrent one gets 409.
            let changed = try await sql.raw("""
                UPDATE appeals_reports SET status = \(bind: next.rawValue), updated_at = \(bind: Clock.millis(now)),
                    closed_at = \(bind: updated.closedAt.map(Clock.millis))
                WHERE id = \(bind: id) AND status = \(bind: prev.rawValue)
                RETURNING id
                """).all()
            guard !changed.isEmpty else {
                throw AqylError(.conflict, code: "invalid_transition", "the report changed status meanwhile; reload it", field: "status")
            }
            let pub = publicNote.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
            try await Self.appendHistory(id, kind: "status", status: next, level: updated.level, queue: updated.queueKato,
                                         publicNote: pub.map { "\(next.publicText). \($0)" } ?? next.publicText,
                                         actor: official.username, internalNote: note, at: now, on: sql)
            _ = try await AuditLog.append(
                AuditEvent(actor: official.username, action: "appeal.status", entityType: "appeal", entityId: id,
                           regionKato: updated.queueKato, detail: "\(prev.rawValue) → \(next.rawValue)"),
                on: sql, dialect: dialect, at: now)
        }
        return updated
    }

    /// An officer's decision on the triage advice, with optional corrected risk topics (stored for retraining).
    /// Restricted categories have no advisory-record entry (so they never show in the shared recommendation queue);
    /// their decision lives with the correction row.
    public func decideTriage(id: String, outcome: String, reason: String?, topics: [RiskTopic]?,
                             official: Principal) async throws -> (decision: Decision?, correctionId: String?) {
        try official.require(.officer, .admin)
        let dir = try await store.directory()
        let cl = try await clearances(userId: official.userId)
        guard let r = try await load(id), canSee(r, reader: official, clearances: cl, dir: dir) else {
            throw AqylError.notFound("appeal \(id)", field: "id")
        }
        var decision: Decision?
        if r.recommendationId == nil {
            // Restricted categories keep their decision with the correction row: decided once, like the advisory record.
            let existing = try await store.db.withSQL { sql in
                try await sql.raw("SELECT topics FROM appeals_triage_corrections WHERE report_id = \(bind: id)").first()
            }
            if existing != nil {
                throw AqylError(.conflict, code: "already_decided", "the triage advice on this report has already been decided")
            }
        }
        if let recId = r.recommendationId {
            decision = try await store.decide(recommendationId: recId, official: official, outcome: outcome, reason: reason)
        } else {
            // Same rule as the advisory record: disagreeing with the machine needs a reason.
            let rec = Recommendation(id: "appeal:\(id)", subject: "appeal:\(id)", domain: "appeals", modelName: r.triage.modelName,
                                     modelVersion: r.triage.modelVersion, score: r.triage.score, outcome: r.triage.outcome,
                                     reasons: [], inputDigest: "-", regionKato: r.queueKato, createdAt: r.createdAt)
            _ = try Decision.make(on: rec, by: official, outcome: outcome, reason: reason, at: clock.now())
        }
        guard topics != nil || r.recommendationId == nil else { return (decision, nil) }
        let now = clock.now()
        let cid = UUID().uuidString.lowercased()
        let dialect = store.db.dialect
        let newTopics = topics ?? r.riskTopics
        try await store.db.transaction { sql in
            try await sql.raw("""
                INSERT INTO appeals_triage_corrections (id, report_id, topics, previous_topics, outcome, reason, official_id,
                    official_name, note, created_at)
                VALUES (\(bind: cid), \(bind: id), \(bind: Self.json(newTopics)), \(bind: Self.json(r.riskTopics)),
                        \(bind: outcome), \(bind: reason), \(bind: official.userId), \(bind: official.username), \(bind: reason),
                        \(bind: Clock.millis(now)))
                """).run()
            if topics != nil {
                try await sql.raw("UPDATE appeals_reports SET risk_topics = \(bind: Self.json(newTopics)), updated_at = \(bind: Clock.millis(now)) WHERE id = \(bind: id)").run()
            }
            _ = try await AuditLog.append(
                AuditEvent(actor: official.username, action: "appeal.triage.correct", entityType: "appeal", entityId: id,
                           regionKato: r.queueKato,
                           detail: "\(outcome); topics \(r.riskTopics.map(\.rawValue).joined(separator: ",")) → \(newTopics.map(\.rawValue).joined(separator: ","))"),
                on: sql, dialect: dialect, at: now)
        }
        return (decision, cid)
    }

    /// Officers' topic corrections with the report text, for `aqyl triage retrain`. The read is audited: the texts
    /// are citizens' own words, restricted categories included.
    public func corrections(reader: String = "cli") async throws -> [(text: String, topics: [RiskTopic])] {
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("""
                SELECT c.topics, r.description FROM appeals_triage_corrections c JOIN appeals_reports r ON r.id = c.report_id
                ORDER BY c.created_at, c.id
                """).all()
        }
        try await store.audit.record(AuditEvent(actor: reader, action: "appeal.corrections.read", entityType: "appeal",
                                                entityId: "*", personal: true, detail: "\(rows.count) corrected reports read for retraining"))
        return try rows.map { row in
            (try row.decode(column: "description", as: String.self),
             Self.unjson(try row.decode(column: "topics", as: String.self), as: [RiskTopic].self) ?? [])
        }
    }

    // MARK: escalation

    /// Moves every open report whose deadline has passed one level up (district → region → centre), keeping its
    /// unit kind, restarting its deadline, recording the step in its history (visible to the reporter) and in the
    /// audit log. A report at the centre stays there (and stays overdue). Safe to run repeatedly and concurrently:
    /// each move is conditional on the report still being where it was.
    @discardableResult
    public func escalateOverdue(now: Date) async throws -> [Escalation] {
        let dir = try await store.directory()
        let nowMs = Clock.millis(now)
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("""
                SELECT * FROM appeals_reports
                WHERE status IN ('submitted', 'in_progress') AND deadline_at < \(bind: nowMs) AND level <> 'centre'
                ORDER BY deadline_at, id
                """).all()
        }
        var out: [Escalation] = []
        let dialect = store.db.dialect
        for r in try rows.map(Self.decode) {
            guard let parent = dir.region(r.queueKato)?.parent ?? (r.queueKato == Region.centreCode ? nil : Region.centreCode),
                  let target = dir.region(parent) else { continue }
            let deadline = now.addingTimeInterval(config.deadline(for: r.category))
            let moved: Bool = try await store.db.transaction { sql in
                // The UPDATE itself re-checks status, queue and deadline, so a report closed meanwhile, or escalated by
                // another process (server and CLI), is left alone.
                let changed = try await sql.raw("""
                    UPDATE appeals_reports SET queue_kato = \(bind: target.kato), level = \(bind: target.level.rawValue),
                        deadline_at = \(bind: Clock.millis(deadline)), updated_at = \(bind: nowMs)
                    WHERE id = \(bind: r.id) AND queue_kato = \(bind: r.queueKato) AND deadline_at < \(bind: nowMs)
                        AND status IN ('submitted', 'in_progress')
                    RETURNING id
                    """).all()
                guard !changed.isEmpty else { return false }
                try await Self.appendHistory(r.id, kind: "escalated", status: r.status, level: target.level, queue: target.kato,
                                             publicNote: "Срок истёк, обращение передано на уровень выше / Мерзімі өтті, өтініш жоғары деңгейге берілді / Deadline passed, escalated to the \(target.level == .centre ? "national" : target.level.rawValue) level",
                                             actor: "system", internalNote: "overdue since \(ISO8601DateFormatter().string(from: r.deadlineAt))",
                                             at: now, on: sql)
                _ = try await AuditLog.append(
                    AuditEvent(actor: "system", action: "appeal.escalate", entityType: "appeal", entityId: r.id,
                               regionKato: target.kato,
                               detail: "\(r.level.rawValue) \(r.queueKato) → \(target.level.rawValue) \(target.kato) (\(r.queueKind.rawValue))"),
                    on: sql, dialect: dialect, at: now)
                return true
            }
            if moved {
                out.append(Escalation(reportId: r.id, from: r.queueKato, to: target.kato, level: target.level, newDeadline: deadline))
            }
        }
        return out
    }

    // MARK: citizens and the public

    /// The reporter's view through the tracking token.
    public func track(token: String) async throws -> PublicStatus {
        guard token.hasPrefix("trk_"), token.count == 44 else {
            throw AqylError.invalid("token", "tracking token must look like trk_ followed by 40 hex digits", code: "invalid_token")
        }
        let id = try await store.db.withSQL { sql in
            try await sql.raw("SELECT report_id FROM appeals_tracking WHERE token_hash = \(bind: Hashing.sha256Hex(token))")
                .first()?.decode(column: "report_id", as: String.self)
        }
        guard let id, let r = try await load(id) else { throw AqylError.notFound("tracking token", field: "token") }
        let events = try await history(id)
        return PublicStatus(
            serviceRequestId: r.id, serviceCode: r.category.rawValue, status: r.status.rawValue,
            open311Status: r.status.open311, level: r.level == .centre ? "national" : r.level.rawValue,
            requestedDatetime: r.createdAt, updatedDatetime: r.updatedAt,
            expectedDatetime: r.status.isClosed ? nil : r.deadlineAt,
            history: events.map { .init(at: $0.at, status: $0.status.rawValue, text: $0.publicNote ?? $0.status.publicText) })
    }

    /// Reports for the public Open311 list: public categories only (domestic violence, child incidents, police
    /// complaints and free-text appeals are omitted entirely, not redacted, so their count and timing leak nothing).
    public func publicReports(ids: [String]?, category: AppealCategory?, status: String?, from: Date?, to: Date?,
                              limit: Int) async throws -> [AppealReport] {
        let rows = try await store.db.withSQL { sql in
            try await sql.raw("SELECT * FROM appeals_reports ORDER BY created_at DESC, id").all()
        }
        return Array(try rows.map(Self.decode).filter { r in
            guard r.category.isPublic else { return false }
            if let ids, !ids.contains(r.id) { return false }
            if let category, r.category != category { return false }
            if let status, r.status.open311 != status { return false }
            if let from, r.createdAt < from { return false }
            if let to, r.createdAt > to { return false }
            return true
        }.prefix(limit))
    }

    /// A public category's report by id; restricted ones answer as not found.
    public func publicReport(id: String) async throws -> AppealReport {
        guard let r = try await load(id), r.category.isPublic else { throw AqylError.notFound("service request \(id)", field: "id") }
        return r
    }
}
