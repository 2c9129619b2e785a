import AqylCore
import Foundation

/// Video events over HTTP: camera configurations, events from our rules engine or from cameras' own analytics,
/// and the operator's confirm/dismiss step.
struct VisionRoutes {
    let service: VisionService

    var all: [APIRoute] {
        [
            APIRoute(.get, "/v1/vision/cameras", listCameras),
            APIRoute(.put, "/v1/vision/cameras/{id}", putCamera),
            APIRoute(.post, "/v1/vision/events", ingest),
            APIRoute(.get, "/v1/vision/events", queue),
            APIRoute(.get, "/v1/vision/events/{id}", get),
            APIRoute(.post, "/v1/vision/events/{id}/review", review),
        ]
    }

    /// The strict document readers' errors as the API's.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ValidationError {
            throw AqylError(e.isRule ? .unprocessable : .badRequest, code: e.isRule ? "rule_violated" : "invalid_field", e.description,
                            field: e.path.isEmpty ? nil : e.path)
        }
    }

    @Sendable func putCamera(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.admin)
        let id = try r.parameter("id")
        let data = try r.requireBody()
        let config = try Self.mapped { try CameraConfiguration.parse(data) }
        guard config.cameraID == id else { throw AqylError.refused("camera_id", "camera_id '\(config.cameraID)' differs from the path's '\(id)'") }
        try await service.installCamera(config, json: String(decoding: data, as: UTF8.self), actor: p)
        struct Out: Encodable { var cameraId: String; var districtKato: String; var version: Int; var rules: [String] }
        return try .json(Out(cameraId: config.cameraID, districtKato: config.districtKATO, version: config.version,
                             rules: config.rules.map { "\($0.id) (\($0.kind.rawValue))" }))
    }

    @Sendable func listCameras(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.operator, .officer, .admin, .auditor)
        try r.allowOnlyQuery(["limit", "cursor"])
        let page = try await service.cameras(reader: p, page: try r.pageRequest())
        struct Cam: Encodable { var cameraId: String; var districtKato: String; var version: Int }
        struct Out: Encodable { var cameras: [Cam]; var nextCursor: String? }
        return try .json(Out(cameras: page.items.map { Cam(cameraId: $0.cameraId, districtKato: $0.districtKato, version: $0.version) },
                             nextCursor: page.next?.description))
    }

    @Sendable func ingest(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.integrator, .operator, .admin)
        let data = try r.requireBody()
        let external = try Self.mapped { try ExternalCameraEvent.parse(data) }
        let (stored, created) = try await service.ingest(external, by: p)
        return try .json(stored, status: created ? 201 : 200)
    }

    @Sendable func queue(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.operator, .officer, .admin, .auditor)
        try r.allowOnlyQuery(["region", "status", "limit", "cursor"])
        let status = try r.queryStatus(VisionEventStatus.self, default: .pending)
        let page = try await service.queue(reader: p, region: try r.queryRegion(), status: status, page: try r.pageRequest())
        struct Out: Encodable { var events: [StoredVisionEvent]; var nextCursor: String? }
        return try .json(Out(events: page.items, nextCursor: page.next?.description))
    }

    @Sendable func get(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.operator, .officer, .admin, .auditor)
        return try .json(try await service.event(id: try r.parameter("id"), reader: p))
    }

    @Sendable func review(_ r: APIRequest) async throws -> APIResponse {
        let p = try r.require(.operator, .officer, .admin)
        let input = try r.decode(OutcomeInput.self)
        guard let outcome = ReviewOutcome(rawValue: input.outcome) else {
            throw AqylError.invalid("outcome", "outcome must be confirm or dismiss")
        }
        let e = try await service.review(eventId: try r.parameter("id"), operator: p, outcome: outcome, reason: input.reason)
        return try .json(e, status: 201)
    }
}
