import AqylCore
import AqylKit
import Crypto
import Foundation

/// Intake, routing, control and analytics of citizen reports. Rules only: storage is the repository's (each write
/// lands with its audit entry in one unit of work), HTTP the routes'. Every official's read is audited.
public final class AppealsService: Sendable {
    public static let domain = "appeals"
    public let core: CoreServices
    public let repository: any AppealsRepository
    public let config: AppealsConfig
    public let triage: AppealTriage
    public let locator: DistrictLocator

    public init(core: CoreServices, repository: any AppealsRepository, config: AppealsConfig = AppealsConfig(),
                triage: AppealTriage = AppealTriage(classifier: nil), locator: DistrictLocator = DistrictLocator()) {
        self.core = core
        self.repository = repository
        self.config = config
        self.triage = triage
        self.locator = locator
    }

    var clock: Clock { core.clock }

    // MARK: routing

    struct Route { var location: String; var region: String; var queue: String; var level: Region.Level; var kind: QueueKind }

    /// Where a report goes: its district's control centre, or for police complaints the region's internal-security unit.
    func route(_ s: AppealSubmission, names: AppealSubmission.FieldNames, dir: RegionDirectory) throws(AqylError) -> Route {
        let location: String
        if let k = s.kato {
            guard let r = dir.region(k), r.level != .centre else {
                throw .refused(names.kato, "unknown KATO code \(k)", code: "unknown_region")
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
            throw .refused(names.kato, "KATO code \(location) lies in no region", code: "unknown_region")
        }
        if s.category.queueKind == .internalSecurity {
            return Route(location: location, region: region.kato, queue: region.kato, level: .region, kind: .internalSecurity)
        }
        let node = path.first(where: { $0.level == .district }) ?? region
        return Route(location: location, region: region.kato, queue: node.kato, level: node.level, kind: .controlCentre)
    }

    // MARK: clearances and visibility

    public func clearances(userId: String) async throws -> Set<Clearance> { try await repository.clearances(userId: userId) }

    /// Grants `clearance` to `username` (an admin whose node contains the user's), audited.
    public func grant(_ clearance: Clearance, to username: String, by admin: Principal) async throws {
        try admin.require(.admin)
        let dir = try await core.directory()
        guard let user = try await core.user(username: username), dir.isWithin(user.regionKato, scope: admin.regionKato) else {
            throw AqylError.notFound("user \(username)", field: "username")
        }
        try await repository.grant(clearance, userId: user.id, grantedBy: admin.username, at: clock.now(), audit: AuditEvent(
            actor: admin.username, action: "appeals.clearance.grant", entityType: "user", entityId: user.id,
            regionKato: user.regionKato, detail: "\(username): \(clearance.rawValue)"))
    }

    /// The categories a reader may not see at all: restricted ones without the clearance for them, and police
    /// complaints for anyone whose node is below region level (they belong to the region's internal-security unit).
    public static func hiddenCategories(clearances: Set<Clearance>, readerLevel: Region.Level?) -> Set<AppealCategory> {
        var out = Set(AppealCategory.allCases.filter { c in c.requiredClearance.map { !clearances.contains($0) } ?? false })
        if let level = readerLevel, level > .region { out.insert(.policeComplaint) } else if readerLevel == nil { out.insert(.policeComplaint) }
        return out
    }

    /// The visibility rule: the report's location lies within the reader's node and its category is not hidden.
    public static func canSee(_ r: AppealReport, reader: Principal, clearances: Set<Clearance>, dir: RegionDirectory) -> Bool {
        dir.isWithin(r.locationKato, scope: reader.regionKato)
            && !hiddenCategories(clearances: clearances, readerLevel: dir.region(reader.regionKato)?.level).contains(r.category)
    }

    /// A report the official may see (404 otherwise, so ids cannot be probed).
    func visibleReport(_ id: String, reader: Principal) async throws -> AppealReport {
        let dir = try await core.directory()
        guard let r = try await repository.report(id: id),
              Self.canSee(r, reader: reader, clearances: try await clearances(userId: reader.userId), dir: dir) else {
            throw AqylError.notFound("appeal \(id)", field: "id")
        }
        return r
    }

    // MARK: intake

    /// Accepts a report. With an idempotency key, a retry with the same body returns the original (and the same
    /// tracking token); the same key with a different body is a 409. Never two reports for one key.
    public func submit(_ s: AppealSubmission, idempotencyKey: String?, client: Principal,
                       names: AppealSubmission.FieldNames = .native) async throws -> SubmitOutcome {
        try client.require(.integrator, .operator, .admin)
        try s.validate(names: names)
        if let key = idempotencyKey, !ContractPattern.isIdempotencyKey(key) {
            throw AqylError.invalid("idempotency_key", "idempotency key must be 1–200 visible ASCII characters")
        }
        let digest = s.digest
        if let key = idempotencyKey, let replay = try await replay(key: key, digest: digest, client: client) { return replay }
        let dir = try await core.directory()
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
        var rec: Recommendation?
        if let recId {
            let reasons = result.hits.prefix(10).map {
                Reason(feature: "\($0.source):\($0.evidence)", label: "\($0.topic.rawValue) (\($0.source): \($0.evidence))",
                       contribution: $0.score, value: $0.topic.rawValue)
            }
            let r = Recommendation(
                id: recId, subject: "appeal:\(id)", domain: Self.domain, modelName: result.modelName,
                modelVersion: result.modelVersion, score: result.score, outcome: result.outcome, reasons: Array(reasons),
                inputDigest: digest, regionKato: route.queue, createdAt: now)
            try await core.validateNew(r)
            rec = r
        }
        let new = NewReport(
            report: report, submittedBy: client.userId, digest: digest,
            history: StatusEvent(seq: 1, at: now, kind: "submitted", status: .submitted, level: report.level, queueKato: report.queueKato,
                                 publicNote: AppealStatus.submitted.publicText, actor: client.username, internalNote: nil),
            idempotencyKey: idempotencyKey, clientId: client.userId, trackingTokenHash: Hashing.sha256Hex(token), recommendation: rec)
        // The report, its history, idempotency key, tracking token, audit entry and (for non-restricted categories)
        // its recommendation land in one transaction, or none of them does.
        do {
            try await repository.insert(new, audit: AuditEvent(
                actor: client.username, action: "appeal.submit", entityType: "appeal", entityId: id, regionKato: route.queue,
                detail: "\(s.category.rawValue) via \(s.channel) → \(route.kind.rawValue) \(route.queue); topics \(result.topics.map(\.rawValue).joined(separator: ",")); duplicates \(duplicates.count)"))
        } catch {
            // A concurrent retry with the same key won the race (or hit the primary key first): answer as a replay.
            if let key = idempotencyKey, let replay = try await replay(key: key, digest: digest, client: client) { return replay }
            throw error
        }
        return SubmitOutcome(report: report, trackingToken: token, replayed: false)
    }

    func replay(key: String, digest: String, client: Principal) async throws -> SubmitOutcome? {
        guard let stored = try await repository.idempotency(clientId: client.userId, key: key) else { return nil }
        guard stored.bodyHash == digest else {
            throw AqylError(.conflict, code: "idempotency_key_reused",
                            "this idempotency key was used with a different request body", field: "idempotency_key")
        }
        guard let report = try await repository.report(id: stored.reportId) else { throw AqylError.notFound("appeal \(stored.reportId)") }
        return SubmitOutcome(report: report, trackingToken: try await trackingToken(for: stored.reportId), replayed: true)
    }

    /// The tracking token is HMAC-SHA256 of the report id under a key kept in the database's settings: only its
    /// SHA-256 is stored, yet an idempotent retry can be given the same token again.
    func trackingToken(for id: String) async throws -> String {
        let hex = try await core.store.settingOrCreate("appeals_tracking_key") {
            var g = SystemRandomNumberGenerator()
            return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        }
        let key = SymmetricKey(data: Data(hex.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("appeals-tracking:\(id)".utf8), using: key)
        return "trk_" + mac.map { String(format: "%02x", $0) }.joined().prefix(40)
    }

    /// Ids of likely duplicates: same category, both located by coordinates, within the configured radius and window.
    func nearby(_ s: AppealSubmission, now: Date) async throws -> [String] {
        guard let la = s.lat, let lo = s.lon else { return [] }
        // A box a little larger than the radius, so the database can narrow down; the exact distance decides.
        let dLat = config.duplicateRadiusMeters / 111_000 * 1.1
        let dLon = dLat / max(0.05, cos(la * .pi / 180))
        let candidates = try await repository.located(category: s.category, since: now.addingTimeInterval(-config.duplicateWindow),
                                                      box: (la - dLat, lo - dLon, la + dLat, lo + dLon))
        let out = candidates.filter { DistrictLocator.distanceKm(la, lo, $0.lat, $0.lon) * 1000 <= config.duplicateRadiusMeters }.map(\.id)
        return Array(out.suffix(20))
    }

    // MARK: officials

    /// One report with its history, for an official who may see it (others get 404, so ids cannot be probed).
    public func report(id: String, reader: Principal) async throws -> (AppealReport, [StatusEvent]) {
        try reader.require(.officer, .operator, .admin)
        let r = try await visibleReport(id, reader: reader)
        try await core.recordRead(AuditEvent(actor: reader.username, action: "appeal.read", entityType: "appeal",
                                             entityId: id, regionKato: r.queueKato, personal: true))
        return (r, try await repository.history(reportId: id))
    }

    public enum StatusFilter: String, Sendable, CaseIterable {
        case open, closed, any

        var statuses: Set<AppealStatus>? {
            switch self {
            case .open: Set(AppealStatus.allCases.filter { !$0.isClosed })
            case .closed: Set(AppealStatus.allCases.filter(\.isClosed))
            case .any: nil
            }
        }
    }

    /// Reports an official may see whose location lies within `region` (default: the reader's node), soonest
    /// deadline first, a page at a time. `queuedHere` narrows to the reports the node's own unit holds now.
    public func list(reader: Principal, region: String? = nil, status: StatusFilter = .open, queuedHere: Bool = false,
                     category: AppealCategory? = nil, page: PageRequest = PageRequest()) async throws -> Page<AppealReport> {
        try reader.require(.officer, .operator, .admin)
        let (node, locations, dir) = try await core.scope(of: reader, region: region)
        let hidden = Self.hiddenCategories(clearances: try await clearances(userId: reader.userId),
                                           readerLevel: dir.region(reader.regionKato)?.level)
        let result = try await repository.reports(
            AppealListFilter(locations: locations, excludedCategories: hidden, queuedAt: queuedHere ? node : nil,
                             category: category, statuses: status.statuses), page: page)
        try await core.recordRead(AuditEvent(actor: reader.username, action: "appeal.list", entityType: "appeal", entityId: "*",
                                             regionKato: node, personal: true, detail: "\(result.items.count) listed, status \(status.rawValue)"))
        return result
    }

    /// Moves a report to a new status; the reporter sees `publicNote` (or the standard wording) through the token.
    public func transition(id: String, to next: AppealStatus, publicNote: String?, note: String?,
                           official: Principal) async throws -> AppealReport {
        try official.require(.officer, .operator, .admin)
        try publicNote?.checkText("public_note", max: 1000, allowBlank: true)
        try note?.checkText("note", max: 4000, allowBlank: true)
        var r = try await visibleReport(id, reader: official)
        guard r.status.canMove(to: next) else {
            throw AqylError(.conflict, code: "invalid_transition", "cannot move from \(r.status.rawValue) to \(next.rawValue)", field: "status")
        }
        if next == .rejected && (note ?? "").isBlank {
            throw AqylError(.unprocessable, code: "reason_required", "rejecting a report needs a note", field: "note")
        }
        let now = clock.now()
        let prev = r.status
        r.status = next
        r.updatedAt = now
        if next.isClosed { r.closedAt = now }
        let pub = publicNote.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        let moved = try await repository.transition(
            r, from: prev,
            history: StatusEvent(seq: 0, at: now, kind: "status", status: next, level: r.level, queueKato: r.queueKato,
                                 publicNote: pub.map { "\(next.publicText). \($0)" } ?? next.publicText,
                                 actor: official.username, internalNote: note),
            audit: AuditEvent(actor: official.username, action: "appeal.status", entityType: "appeal", entityId: id,
                              regionKato: r.queueKato, detail: "\(prev.rawValue) → \(next.rawValue)"))
        guard moved else {
            throw AqylError(.conflict, code: "invalid_transition", "the report changed status meanwhile; reload it", field: "status")
        }
        return r
    }

    /// An officer's decision on the triage advice, with optional corrected risk topics (stored for retraining), in
    /// one transaction. Restricted categories have no advisory-record entry (so they never show in the shared
    /// recommendation queue); their decision lives with the correction row, decided once.
    public func decideTriage(id: String, outcome: String, reason: String?, topics: [RiskTopic]?,
                             official: Principal) async throws -> (decision: Decision?, correctionId: String?) {
        try official.require(.officer, .admin)
        let r = try await visibleReport(id, reader: official)
        var advisory: (Recommendation, Decision)?
        if let recId = r.recommendationId {
            advisory = try await core.prepareDecision(recommendationId: recId, official: official, outcome: outcome, reason: reason)
        } else {
            if try await repository.hasTriageDecision(reportId: id) {
                throw AqylError(.conflict, code: "already_decided", "the triage advice on this report has already been decided")
            }
            // Same rule as the advisory record: disagreeing with the machine needs a reason.
            let rec = Recommendation(id: "appeal:\(id)", subject: "appeal:\(id)", domain: Self.domain, modelName: r.triage.modelName,
                                     modelVersion: r.triage.modelVersion, score: r.triage.score, outcome: r.triage.outcome,
                                     reasons: [], inputDigest: "-", regionKato: r.queueKato, createdAt: r.createdAt)
            _ = try Decision.make(on: rec, by: official, outcome: outcome, reason: reason, at: clock.now())
        }
        let decision = advisory?.1
        // A decision without a correction on a report with a recommendation is the advisory record's alone.
        guard topics != nil || r.recommendationId == nil else {
            if let (rec, d) = advisory {
                try await core.store.recordDecision(d, on: rec, audit: .decisionMade(d, on: rec, actor: official.username))
            }
            return (decision, nil)
        }
        let now = clock.now()
        let cid = UUID().uuidString.lowercased()
        let newTopics = topics ?? r.riskTopics
        try await repository.recordTriageDecision(
            TriageDecisionRecord(correctionId: cid, reportId: id, topics: newTopics, previousTopics: r.riskTopics,
                                 updatesTopics: topics != nil, outcome: outcome, reason: reason, officialId: official.userId,
                                 officialName: official.username, at: now, decision: advisory.map { ($0.1, $0.0) }),
            audit: AuditEvent(actor: official.username, action: "appeal.triage.correct", entityType: "appeal", entityId: id,
                              regionKato: r.queueKato,
                              detail: "\(outcome); topics \(r.riskTopics.map(\.rawValue).joined(separator: ",")) → \(newTopics.map(\.rawValue).joined(separator: ","))"))
        return (decision, cid)
    }

    /// Officers' topic corrections with the report text, for `aqyl triage retrain`. The read is audited: the texts
    /// are citizens' own words, restricted categories included.
    public func corrections(reader: String = "cli") async throws -> [(text: String, topics: [RiskTopic])] {
        let rows = try await repository.corrections()
        try await core.recordRead(AuditEvent(actor: reader, action: "appeal.corrections.read", entityType: "appeal",
                                             entityId: "*", personal: true, detail: "\(rows.count) corrected reports read for retraining"))
        return rows
    }

    // MARK: escalation

    /// Moves every open report whose deadline has passed one level up (district → region → centre), keeping its
    /// unit kind, restarting its deadline, recording the step in its history (visible to the reporter) and in the
    /// audit log. A report at the centre stays there (and stays overdue). Safe to run repeatedly and concurrently,
    /// from several server processes: each move is conditional on the report still being where it was.
    @discardableResult
    public func escalateOverdue(now: Date, batch: Int = 500) async throws -> [Escalation] {
        let dir = try await core.directory()
        var out: [Escalation] = []
        var seen: Set<String> = []
        while true {
            let due = try await repository.overdue(now: now, limit: batch).filter { !seen.contains($0.id) }
            if due.isEmpty { break }
            for r in due {
                seen.insert(r.id)
                guard let parent = dir.region(r.queueKato)?.parent ?? (r.queueKato == Region.centreCode ? nil : Region.centreCode),
                      let target = dir.region(parent) else { continue }
                let deadline = now.addingTimeInterval(config.deadline(for: r.category))
                let moved = try await repository.escalate(
                    r, to: target, deadline: deadline, now: now,
                    history: StatusEvent(seq: 0, at: now, kind: "escalated", status: r.status, level: target.level, queueKato: target.kato,
                                         publicNote: "Срок истёк, обращение передано на уровень выше / Мерзімі өтті, өтініш жоғары деңгейге берілді / Deadline passed, escalated to the \(target.level == .centre ? "national" : target.level.rawValue) level",
                                         actor: "system", internalNote: "overdue since \(ISO8601DateFormatter().string(from: r.deadlineAt))"),
                    audit: AuditEvent(actor: "system", action: "appeal.escalate", entityType: "appeal", entityId: r.id,
                                      regionKato: target.kato,
                                      detail: "\(r.level.rawValue) \(r.queueKato) → \(target.level.rawValue) \(target.kato) (\(r.queueKind.rawValue))"))
                if moved {
                    out.append(Escalation(reportId: r.id, from: r.queueKato, to: target.kato, level: target.level, newDeadline: deadline))
                }
            }
        }
        return out
    }

    // MARK: citizens and the public

    /// The reporter's view through the tracking token.
    public func track(token: String) async throws -> PublicStatus {
        guard token.hasPrefix("trk_"), token.utf8.count == 44,
              token.utf8.dropFirst(4).allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw AqylError.invalid("token", "tracking token must look like trk_ followed by 40 hex digits", code: "invalid_token")
        }
        guard let id = try await repository.reportId(trackingTokenHash: Hashing.sha256Hex(token)),
              let r = try await repository.report(id: id) else {
            throw AqylError.notFound("tracking token", field: "token")
        }
        let events = try await repository.history(reportId: id)
        return PublicStatus(
            serviceRequestId: r.id, serviceCode: r.category.rawValue, status: r.status.rawValue,
            open311Status: r.status.open311, level: r.level == .centre ? "national" : r.level.rawValue,
            requestedDatetime: r.createdAt, updatedDatetime: r.updatedAt,
            expectedDatetime: r.status.isClosed ? nil : r.deadlineAt,
            history: events.map { .init(at: $0.at, status: $0.status.rawValue, text: $0.publicNote ?? $0.status.publicText) })
    }

    /// What a reporter is told to expect for a category: its deadline per level and what happens when it passes.
    public func serviceNotice(_ c: AppealCategory) -> String {
        let h = Int((config.deadline(for: c) / 3600).rounded())
        return "Each unit has \(h) hours to act; a report still open then moves one level up (district, region, centre). / "
            + "На каждом уровне \(h) ч; если обращение не закрыто, оно передаётся выше. / Әр деңгейде \(h) сағ; жабылмаса, жоғары беріледі."
    }

    /// The public (Open311) list: public categories only (domestic violence, child incidents, police complaints and
    /// free-text appeals are omitted entirely, not redacted, so their count and timing leak nothing), each report
    /// redacted to what anyone may see.
    public func publicReports(_ filter: PublicReportFilter) async throws -> [PublicReport] {
        let dir = try await core.directory()
        return try await repository.publicReports(filter).map { PublicReport($0, directory: dir, serviceNotice: serviceNotice($0.category)) }
    }

    /// A public category's report by id, redacted; restricted ones answer as not found.
    public func publicReport(id: String) async throws -> PublicReport {
        guard let r = try await repository.report(id: id), r.category.isPublic else {
            throw AqylError.notFound("service request \(id)", field: "id")
        }
        return PublicReport(r, directory: try await core.directory(), serviceNotice: serviceNotice(r.category))
    }
}
