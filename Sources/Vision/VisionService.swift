import AqylCore
import AqylKit
import AqylML
import Foundation

/// Where a video event stands in the operator queue.
public enum VisionEventStatus: String, Sendable, Codable, CaseIterable { case pending, confirmed, dismissed }

/// What an operator does with an event.
public enum ReviewOutcome: String, Sendable, Codable, CaseIterable {
    case confirm, dismiss
    var status: VisionEventStatus { self == .confirm ? .confirmed : .dismissed }
}

/// A stored event as the operator sees it.
public struct StoredVisionEvent: Sendable, Codable, Equatable {
    public var id: String
    public var recommendationId: String
    public var cameraId: String
    public var districtKato: String
    /// `aqyl` (our rules engine) or `camera:VENDOR` (the camera's own analytics).
    public var source: String
    public var status: VisionEventStatus
    public var event: VisionEvent
    public var reviewedBy: String?
    public var reviewReason: String?
    public var reviewedAt: Date?
    public var createdAt: Date
}

/// Events → the operator queue of the camera's district → a named operator confirms or dismisses (audited).
/// Rules only: storage is the repository's, HTTP the routes'.
public final class VisionService: Sendable {
    public static let domain = "vision"
    public static let modelName = "aqyl-vision-rules"
    public let core: CoreServices
    public let repository: any VisionRepository

    public init(core: CoreServices, repository: any VisionRepository) {
        self.core = core
        self.repository = repository
    }

    /// Stores (or replaces with a newer version) a camera's configuration. Audited.
    public func installCamera(_ config: CameraConfiguration, json: String, actor: Principal) async throws {
        try actor.require(.admin)
        let dir = try await core.directory()
        guard dir.region(config.districtKATO) != nil else {
            throw AqylError.refused("district_kato", "unknown district \(config.districtKATO)", code: "unknown_region")
        }
        try actor.requireScope(config.districtKATO, in: dir)
        try await repository.installCamera(
            StoredCamera(cameraId: config.cameraID, districtKato: config.districtKATO, version: config.version, config: json,
                         installedAt: core.clock.now(), installedBy: actor.username),
            installerScope: RegionFilter.subtree(of: actor.regionKato, in: dir),
            audit: AuditEvent(actor: actor.username, action: "vision.camera.configure", entityType: "camera",
                              entityId: config.cameraID, regionKato: config.districtKATO,
                              detail: "version \(config.version), \(config.rules.count) rules"))
    }

    /// Cameras within the reader's scope, by id, a page at a time.
    public func cameras(reader: Principal, page: PageRequest) async throws -> Page<StoredCamera> {
        try reader.require(.operator, .officer, .admin, .auditor)
        let (_, filter, _) = try await core.scope(of: reader, region: nil)
        return try await repository.cameras(in: filter, page: page)
    }

    /// Stores one event and puts it in the district's queue as a recommendation to confirm. An external event
    /// already stored (same camera and `externalId`) is returned as it is: retries never duplicate.
    public func record(_ event: VisionEvent, source: String, externalId: String?, actor: String) async throws -> (StoredVisionEvent, created: Bool) {
        try Region.validateCode(event.districtKATO, field: "district_kato")
        guard try await core.directory().region(event.districtKATO) != nil else {
            throw AqylError.refused("district_kato", "unknown district \(event.districtKATO)", code: "unknown_region")
        }
        if let ext = externalId, let existing = try await repository.event(camera: event.cameraID, externalId: ext) {
            return (try Self.sameDistrict(existing, event), false)
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let digest = Hashing.sha256Hex(String(decoding: try e.encode(event), as: UTF8.self))
        let confidence = min(1, max(0, event.confidence.isFinite ? event.confidence : 0))
        let rec = Recommendation(
            subject: "camera:\(event.cameraID)", domain: Self.domain,
            modelName: source == "aqyl" ? Self.modelName : source, modelVersion: "\(event.cameraID)@v\(event.ruleVersion)",
            score: confidence, outcome: ReviewOutcome.confirm.rawValue,
            reasons: [Reason(feature: event.ruleKind.rawValue, label: event.description, contribution: confidence,
                             value: "rule \(event.ruleID), tracks \(event.trackIDs.map(String.init).joined(separator: " "))")],
            inputDigest: digest, regionKato: event.districtKATO, createdAt: core.clock.now())
        try await core.validateNew(rec)
        let stored = StoredVisionEvent(id: UUID().uuidString.lowercased(), recommendationId: rec.id, cameraId: event.cameraID,
                                       districtKato: event.districtKATO, source: source, status: .pending, event: event,
                                       createdAt: rec.createdAt)
        do {
            try await repository.insert(stored, externalId: externalId, recommendation: rec, audit: .recommendationCreated(rec, actor: actor))
        } catch {
            // A concurrent retry of the same camera event won the race: answer with the stored one.
            if let ext = externalId, let existing = try await repository.event(camera: event.cameraID, externalId: ext) {
                return (try Self.sameDistrict(existing, event), false)
            }
            throw error
        }
        return (stored, true)
    }

    /// A camera's own analytics event, posted by an integrator or operator in the camera's district. A registered
    /// camera's events belong to its district; the body may not move them elsewhere.
    public func ingest(_ external: ExternalCameraEvent, by client: Principal) async throws -> (StoredVisionEvent, created: Bool) {
        try client.require(.integrator, .operator, .admin)
        let camera = try await repository.camera(id: external.cameraID)
        if let camera, let claimed = external.districtKATO, claimed != camera.districtKato {
            throw AqylError.refused("district_kato", "camera \(camera.cameraId) is registered in \(camera.districtKato), not \(claimed)")
        }
        guard let district = camera?.districtKato ?? external.districtKATO else {
            throw AqylError.refused("district_kato", "camera \(external.cameraID) is not registered: its events need 'district_kato'", code: "missing_field")
        }
        try Region.validateCode(district, field: "district_kato")
        try client.requireScope(district, in: try await core.directory())
        guard let event = external.toVisionEvent(districtKATO: district) else {
            throw AqylError.refused("event_type", "event type '\(external.eventType)' has no rule counterpart; it is not queued")
        }
        return try await record(event, source: "camera:\(external.vendor)", externalId: external.eventID, actor: client.username)
    }

    /// A stored camera event is returned for a retry only to the district it belongs to.
    static func sameDistrict(_ existing: StoredVisionEvent, _ event: VisionEvent) throws -> StoredVisionEvent {
        guard existing.districtKato == event.districtKATO else {
            throw AqylError(.conflict, code: "event_id_reused", "event_id \(existing.event.attributes["event_id"] ?? "") was already used for another district",
                            field: "event_id")
        }
        return existing
    }

    /// Runs a camera's rules over tracks and records every event (e.g. a replay of recorded tracks).
    public func replay(_ config: CameraConfiguration, tracks: [TrackedBox], actor: String) async throws -> [StoredVisionEvent] {
        var out: [StoredVisionEvent] = []
        for e in RulesEngine(configuration: config).run(tracks) {
            out.append(try await record(e, source: "aqyl", externalId: nil, actor: actor).0)
        }
        return out
    }

    /// One event, within the reader's scope (else not found). Audited: evidence shows people.
    public func event(id: String, reader: Principal) async throws -> StoredVisionEvent {
        try reader.require(.operator, .officer, .admin, .auditor)
        guard let e = try await repository.event(id: id),
              try await core.directory().isWithin(e.districtKato, scope: reader.regionKato) else {
            throw AqylError.notFound("event \(id)", field: "id")
        }
        try await core.recordRead(AuditEvent(actor: reader.username, action: "vision.event.read", entityType: "vision_event",
                                             entityId: id, regionKato: e.districtKato, personal: true))
        return e
    }

    /// The operator queue under the reader's scope (or one node within it), oldest first, a page at a time. Audited.
    public func queue(reader: Principal, region: String?, status: VisionEventStatus?, page: PageRequest) async throws -> Page<StoredVisionEvent> {
        try reader.require(.operator, .officer, .admin, .auditor)
        let (node, filter, _) = try await core.scope(of: reader, region: region)
        let result = try await repository.events(VisionEventFilter(regions: filter, status: status), page: page)
        try await core.recordRead(AuditEvent(actor: reader.username, action: "vision.event.list", entityType: "vision_event",
                                             entityId: "*", regionKato: node, personal: true, detail: "\(result.items.count) listed"))
        return result
    }

    /// The operator confirms or dismisses; a dismissal needs a reason. Audited through the advisory record.
    public func review(eventId: String, operator official: Principal, outcome: ReviewOutcome, reason: String?) async throws -> StoredVisionEvent {
        try official.require(.operator, .officer, .admin)
        guard let e = try await repository.event(id: eventId),
              try await core.directory().isWithin(e.districtKato, scope: official.regionKato) else {
            throw AqylError.notFound("event \(eventId)", field: "id")
        }
        let (rec, decision) = try await core.prepareDecision(recommendationId: e.recommendationId, official: official,
                                                             outcome: outcome.rawValue, reason: reason)
        try await repository.review(e, status: outcome.status, decision: decision, on: rec,
                                    audit: .decisionMade(decision, on: rec, actor: official.username))
        return try await event(id: eventId, reader: official)
    }
}
