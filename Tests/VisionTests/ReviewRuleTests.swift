import AqylCore
import AqylML
import Foundation
import Testing
@testable import Vision

/// The operator review's rules on the in-memory repository: no database.
@Suite("Vision review rules (in memory)")
struct ReviewRuleTests {
    static let camera = """
        {"version": 1, "camera_id": "cam-1", "district_kato": "751210000", "fps": 10,
         "rules": [{"id": "gate", "type": "line_crossing", "line": [[100, 0], [100, 200]]}]}
        """

    @Test func eventsQueueInTheirDistrictAndADismissalNeedsAReason() async throws {
        let memory = InMemoryStore()
        let core = CoreServices(store: memory, bcryptCost: 4)
        try await core.seedReferenceData()
        let service = VisionService(core: core, repository: InMemoryVisionRepository(memory))
        let admin = Principal(userId: "a", username: "admin", role: .admin, regionKato: Region.centreCode)
        let alatau = Principal(userId: "o", username: "operator.alatau", role: .operator, regionKato: "751210000")
        let esil = Principal(userId: "e", username: "operator.esil", role: .operator, regionKato: "711210000")
        let config = try CameraConfiguration.parse(Data(Self.camera.utf8))
        try await service.installCamera(config, json: Self.camera, actor: admin)
        // Only a higher version replaces a configuration; a district admin elsewhere cannot take the camera.
        await #expect { try await service.installCamera(config, json: Self.camera, actor: admin) }
            throws: { ($0 as? AqylError)?.code == "stale_version" }
        var moved = config
        moved.version = 2
        moved.districtKATO = "711210000"
        let esilAdmin = Principal(userId: "x", username: "admin.esil", role: .admin, regionKato: "711210000")
        await #expect { try await service.installCamera(moved, json: Self.camera, actor: esilAdmin) }
            throws: { ($0 as? AqylError)?.kind == .forbidden }

        let tracks = (1...20).map { f in
            TrackedBox(frame: f, trackID: 3, box: BoundingBox(x: Double(50 + f * 5), y: 80, w: 10, h: 20), score: 1, classLabel: "person")
        }
        let events = try await service.replay(config, tracks: tracks, actor: "test")
        #expect(events.count == 1 && events[0].status == .pending)
        #expect(try await service.queue(reader: alatau, region: nil, status: .pending, page: PageRequest()).items.count == 1)
        #expect(try await service.queue(reader: esil, region: nil, status: .pending, page: PageRequest()).items.isEmpty)
        await #expect { try await service.review(eventId: events[0].id, operator: esil, outcome: .confirm, reason: nil) }
            throws: { ($0 as? AqylError)?.kind == .notFound }
        await #expect { try await service.review(eventId: events[0].id, operator: alatau, outcome: .dismiss, reason: nil) }
            throws: { ($0 as? AqylError)?.code == "reason_required" }
        let reviewed = try await service.review(eventId: events[0].id, operator: alatau, outcome: .dismiss, reason: "A cyclist on the path")
        #expect(reviewed.status == .dismissed && reviewed.reviewReason == "A cyclist on the path")
        #expect(try await service.queue(reader: alatau, region: nil, status: .pending, page: PageRequest()).items.isEmpty)

        // A camera's own event with the same id twice is stored once.
        let external = ExternalCameraEvent(eventID: "ev-1", cameraID: "cam-1", vendor: "acme", eventType: "intrusion",
                                           startTime: Date(timeIntervalSince1970: 1_800_000_000), confidence: 0.9)
        let integrator = Principal(userId: "i", username: "bank", role: .integrator, regionKato: Region.centreCode)
        let first = try await service.ingest(external, by: integrator)
        let again = try await service.ingest(external, by: integrator)
        #expect(first.created && !again.created && first.0.id == again.0.id)
        #expect(try await core.verifyAudit().ok)
    }
}
