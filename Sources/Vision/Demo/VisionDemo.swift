import AqylCore
import AqylML
import Foundation

/// Replays the ground-truth boxes of PETS09-S2L1 (the pedestrians of OpenCV's `vtest.avi`, a real public data set)
/// through a line rule and a zone rule on a demo camera in Almaly district of Almaty, when the shared data sets are
/// beside the project. The camera and its district are SYNTHETIC.
public struct VisionDemo: DemoSeed {
    public let service: VisionService

    public init(service: VisionService) { self.service = service }

    public func seed(_ context: DemoContext) async throws {
        guard let root = context.dataRoot else { return }
        let gt = root + "/video/mot15/PETS09-S2L1/gt/gt.txt"
        guard FileManager.default.fileExists(atPath: gt) else { return }
        let admin = try context.account("admin")
        let json = """
            {"version": 1, "camera_id": "demo-pets09", "district_kato": "751110000", "fps": 7,
             "start_time": "2026-11-20T10:00:00Z", "utc_offset_hours": 5,
             "rules": [
               {"id": "gate", "type": "line_crossing", "line": [[380, 100], [380, 576]], "hysteresis_px": 8, "in_direction": "left_to_right"},
               {"id": "lawn", "type": "intrusion", "zone": [[500, 300], [768, 300], [768, 576], [500, 576]], "min_dwell_seconds": 2}
             ]}
            """
        let config = try CameraConfiguration.parse(Data(json.utf8))
        try await service.installCamera(config, json: json, actor: admin)
        let rows = try MOTChallengeIO.load(path: gt).filter { $0.confidence != 0 }.map {
            TrackedBox(frame: $0.frame, trackID: $0.id, box: $0.box, score: 1, classLabel: "person")
        }
        _ = try await service.replay(config, tracks: rows, actor: "demo")
    }
}
