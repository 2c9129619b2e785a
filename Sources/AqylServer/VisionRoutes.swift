import AqylCore
import AqylML
import AqylStore
import Foundation
import Hummingbird
import Vision

/// Video events: camera configurations, events from our rules engine or from cameras' own analytics, and the
/// operator's confirm/dismiss step.
struct VisionRoutes {
    let store: AqylStore
    let service: VisionService

    func register(on router: Router<AqylRequestContext>) {
        let g = router.group("v1/vision")
        g.get("cameras", use: listCameras)
        g.put("cameras/:id", use: putCamera)
        g.post("events", use: ingest)
        g.get("events", use: queue)
        g.get("events/:id", use: get)
        g.post("events/:id/review", use: review)
    }

    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as Vision.ValidationError {
            throw AqylError(.badRequest, code: "invalid_field", e.description, field: e.path.isEmpty ? nil : e.path)
        }
    }

    @Sendable func putCamera(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.admin)
        let id = try context.parameters.require("id")
        let data = try await JSON.body(of: request, context: context)
        let config = try Self.mapped { try CameraConfiguration.parse(data) }
        guard config.cameraID == id else { throw AqylError.invalid("camera_id", "camera_id '\(config.cameraID)' differs from the path's '\(id)'") }
        try await service.installCamera(config, json: String(decoding: data, as: UTF8.self), actor: p)
        struct Out: Encodable { var cameraId: String; var districtKato: String; var version: Int; var rules: [String] }
        return try JSON.response(Out(cameraId: config.cameraID, districtKato: config.districtKATO, version: config.version,
                                     rules: config.rules.map { "\($0.id) (\($0.kind.rawValue))" }))
    }

    @Sendable func listCameras(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.operator, .officer, .admin, .auditor)
        struct Cam: Encodable { var cameraId: String; var districtKato: String; var version: Int }
        return try JSON.response(["cameras": try await service.cameras(scope: p.regionKato).map {
            Cam(cameraId: $0.cameraId, districtKato: $0.districtKato, version: $0.version)
        }])
    }

    @Sendable func ingest(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.integrator, .operator, .admin)
        let data = try await JSON.body(of: request, context: context)
        let external = try Self.mapped { try ExternalCameraEvent.parse(data) }
        let camera = try await service.cameras(scope: Region.centreCode).first { $0.cameraId == external.cameraID }
        // A registered camera's events belong to its district; the body may not move them elsewhere.
        if let camera, let claimed = external.districtKATO, claimed != camera.districtKato {
            throw AqylError.invalid("district_kato", "camera \(camera.cameraId) is registered in \(camera.districtKato), not \(claimed)")
        }
        guard let district = camera?.districtKato ?? external.districtKATO else {
            throw AqylError.missing("district_kato")
        }
        try p.requireScope(district, in: try await store.directory())
        guard let event = external.toVisionEvent(districtKATO: district) else {
            throw AqylError.invalid("event_type", "event type '\(external.eventType)' has no rule counterpart; it is not queued")
        }
        let (stored, created) = try await service.record(event, source: "camera:\(external.vendor)", externalId: external.eventID, actor: p.username)
        return try JSON.response(stored, status: created ? .created : .ok)
    }

    @Sendable func queue(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.operator, .officer, .admin, .auditor)
        let status = request.query("status") ?? "pending"
        let limit = try request.queryInt("limit", default: 100, range: 1...1000)
        return try JSON.response(["events": try await service.queue(reader: p, region: request.query("region"),
                                                                    status: status == "any" ? nil : status, limit: limit)])
    }

    @Sendable func get(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.operator, .officer, .admin, .auditor)
        return try JSON.response(try await service.event(id: try context.parameters.require("id"), reader: p))
    }

    struct ReviewInput: APIInput {
        var outcome: String
        var reason: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case outcome, reason }
    }

    @Sendable func review(_ request: Request, context: AqylRequestContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try p.require(.operator, .officer, .admin)
        let input = try await JSON.decode(ReviewInput.self, from: request, context: context)
        let e = try await service.review(eventId: try context.parameters.require("id"), operator: p, outcome: input.outcome, reason: input.reason)
        return try JSON.response(e, status: .created)
    }
}
