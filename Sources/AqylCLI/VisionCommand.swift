import ArgumentParser
import Foundation
import Vision

/// `aqyl vision`: multi-object tracking (ByteTrack-style), CLEAR-MOT/IDF1 evaluation, speed benchmark and the
/// per-camera rules engine. Arguments pass straight to the Vision domain's command reader.
struct VisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision",
        abstract: "Video analytics: track, evaluate, bench, rules (run `aqyl vision help` for options).",
        discussion: """
            aqyl vision track --detections det.txt --out result.txt [--jsonl] [--camera ID] [--fps F]
            aqyl vision evaluate --gt gt.txt --result result.txt [--json] [--min-gt-conf C]
            aqyl vision bench --detections det.txt [--repeat N]
            aqyl vision rules --config cam.json --tracks result.txt [--class person] [--detector-classes person,backpack]
            """)
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() throws {
        let code = visionMain(arguments)
        if code != 0 { throw ExitCode(code) }
    }
}
