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

    static func body(_ request: Request, _ context: AqylRequestContext) async throws -> Data {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: context.maxUploadSize) } catch {
            throw AqylError(.payloadTooLarge, code: "body_too_large", "request body is larger than \(context.maxUploadSize) bytes")
        }
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw AqylError(.badRequest, code: "empty_body", "request body must be a JSON object") }
        return data
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
        let data = try await Self.body(request, context)
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
        let data = try await Self.body(request, context)
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

extension Demo {
    /// Replays the ground-truth boxes of PETS09-S2L1 (the pedestrians of OpenCV's `vtest.avi`) through a line rule and
    /// a zone rule on a demo camera in Almaly district of Almaty, when the shared dataset is present beside the project.
    public static func seedVision(_ store: AqylStore, dataRoot: String = "../shared/data") async throws {
        let gt = dataRoot + "/video/mot15/PETS09-S2L1/gt/gt.txt"
        guard FileManager.default.fileExists(atPath: gt), let admin = try await store.user(username: "admin") else { return }
        let json = """
            {"version": 1, "camera_id": "demo-pets09", "district_kato": "751110000", "fps": 7,
             "start_time": "2026-11-20T10:00:00Z", "utc_offset_hours": 5,
             "rules": [
               {"id": "gate", "type": "line_crossing", "line": [[380, 100], [380, 576]], "hysteresis_px": 8, "in_direction": "left_to_right"},
               {"id": "lawn", "type": "intrusion", "zone": [[500, 300], [768, 300], [768, 576], [500, 576]], "min_dwell_seconds": 2}
             ]}
            """
        let config = try CameraConfiguration.parse(Data(json.utf8))
        let service = VisionService(store: store)
        try await service.installCamera(config, json: json, actor: admin.principal)
        let rows = try MOTChallengeIO.load(path: gt).filter { $0.confidence != 0 }.map {
            TrackedBox(frame: $0.frame, trackID: $0.id, box: $0.box, score: 1, classLabel: "person")
        }
        _ = try await service.replay(config, tracks: rows, actor: "demo")
    }
}
