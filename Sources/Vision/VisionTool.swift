import AqylML
import Foundation

// `aqyl vision`: tracking, evaluation, benchmarking and rules over MOTChallenge-style files.

struct VisionUsageError: Error, CustomStringConvertible {
    var description: String
}

let visionUsage = """
    usage:
      aqyl vision track --detections det.txt --out result.txt [--jsonl] [--camera ID] [--fps F]
                        [--tracker byte|sort] [tracker options]
      aqyl vision evaluate --gt gt.txt --result result.txt [--json] [--min-gt-conf C]
      aqyl vision bench --detections det.txt [--repeat N] [tracker options]
      aqyl vision rules --config cam.json --tracks result.txt [--class person] [--detector-classes person,backpack]

    tracker options (ByteTrack; defaults are the tuned values):
      --high T --low T --new T --match C --second-match C --unconfirmed-match C --buffer N
      --min-hits N --min-height PX --no-fuse --detection-box --normalize none|minmax|rank
      --interpolate N (offline gap filling, 0 = off) --min-length N (offline, drop short tracks)
      SORT: --tracker sort [--max-age N] [--sort-min-hits N] [--iou T]
    """

/// Simple `--key value` / `--flag` parser.
struct VisionOptions {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    static let flagNames: Set<String> = ["--jsonl", "--json", "--no-fuse", "--detection-box", "--help"]

    init(_ args: ArraySlice<String>) throws {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            guard a.hasPrefix("--") else { throw VisionUsageError(description: "unexpected argument '\(a)'") }
            if VisionOptions.flagNames.contains(a) {
                flags.insert(a)
                i += 1
            } else {
                guard i + 1 < args.endIndex else { throw VisionUsageError(description: "option \(a) needs a value") }
                values[a] = args[i + 1]
                i += 2
            }
        }
    }

    func string(_ k: String) throws -> String {
        guard let v = values[k] else { throw VisionUsageError(description: "missing required option \(k)") }
        return v
    }

    func double(_ k: String, _ def: Double) throws -> Double {
        guard let s = values[k] else { return def }
        guard let v = Double(s), v.isFinite else { throw VisionUsageError(description: "option \(k): not a number '\(s)'") }
        return v
    }

    func int(_ k: String, _ def: Int) throws -> Int {
        guard let s = values[k] else { return def }
        guard let v = Int(s) else { throw VisionUsageError(description: "option \(k): not an integer '\(s)'") }
        return v
    }

    func checkKnown(_ known: Set<String>) throws {
        for k in values.keys where !known.contains(k) { throw VisionUsageError(description: "unknown option \(k)") }
        for k in flags where !known.contains(k) { throw VisionUsageError(description: "unknown option \(k)") }
    }
}

/// Tracking parameters chosen once for all sequences (see README).
struct TrackingSetup {
    var tracker = "byte"
    var byte = ByteTrackConfiguration()
    var normalization = ScoreNormalization.none
    var interpolate = 0
    var minLength = 0
    var sortMaxAge = 1
    var sortMinHits = 3
    var sortIoU = 0.3

    static let optionNames: Set<String> = ["--tracker", "--high", "--low", "--new", "--match", "--second-match",
                                           "--unconfirmed-match", "--buffer", "--min-hits", "--min-height", "--no-fuse",
                                           "--detection-box", "--normalize", "--interpolate", "--min-length",
                                           "--max-age", "--sort-min-hits", "--iou"]

    static var defaults: TrackingSetup {
        var s = TrackingSetup()
        s.byte.highScoreThreshold = 0.85
        s.byte.lowScoreThreshold = 0.1
        s.byte.newTrackThreshold = 0.9
        s.byte.firstMatchMaxCost = 0.8
        s.byte.secondMatchMaxCost = 0.5
        s.byte.unconfirmedMatchMaxCost = 0.7
        s.byte.trackBuffer = 30
        s.byte.minHits = 2
        s.byte.minBoxHeight = 0
        s.normalization = .none
        s.interpolate = 3
        s.minLength = 5
        return s
    }

    init() {}

    init(options o: VisionOptions) throws {
        self = TrackingSetup.defaults
        tracker = o.values["--tracker"] ?? tracker
        guard tracker == "byte" || tracker == "sort" else { throw VisionUsageError(description: "--tracker must be byte or sort") }
        byte.highScoreThreshold = try o.double("--high", byte.highScoreThreshold)
        byte.lowScoreThreshold = try o.double("--low", byte.lowScoreThreshold)
        byte.newTrackThreshold = try o.double("--new", byte.newTrackThreshold)
        byte.firstMatchMaxCost = try o.double("--match", byte.firstMatchMaxCost)
        byte.secondMatchMaxCost = try o.double("--second-match", byte.secondMatchMaxCost)
        byte.unconfirmedMatchMaxCost = try o.double("--unconfirmed-match", byte.unconfirmedMatchMaxCost)
        byte.trackBuffer = try o.int("--buffer", byte.trackBuffer)
        byte.minHits = try o.int("--min-hits", byte.minHits)
        byte.minBoxHeight = try o.double("--min-height", byte.minBoxHeight)
        if o.flags.contains("--no-fuse") { byte.fuseScore = false }
        if o.flags.contains("--detection-box") { byte.outputFilteredBox = false }
        if let n = o.values["--normalize"] {
            guard let v = ScoreNormalization(rawValue: n) else { throw VisionUsageError(description: "--normalize must be none, minmax or rank") }
            normalization = v
        }
        interpolate = try o.int("--interpolate", interpolate)
        minLength = try o.int("--min-length", minLength)
        sortMaxAge = try o.int("--max-age", sortMaxAge)
        sortMinHits = try o.int("--sort-min-hits", sortMinHits)
        sortIoU = try o.double("--iou", sortIoU)
    }

    /// Runs the tracker over frames firstFrame...lastFrame (empty frames included).
    func run(_ byFrame: [Int: [Detection]]) -> [TrackedBox] {
        guard let first = byFrame.keys.min(), let last = byFrame.keys.max() else { return [] }
        var frames = byFrame
        if normalization != .none {
            let all = normalization.apply(byFrame.keys.sorted().flatMap { byFrame[$0]! })
            frames = [:]
            for d in all { frames[d.frame, default: []].append(d) }
        }
        var out: [TrackedBox] = []
        if tracker == "sort" {
            let t = SORTTracker(maxAge: sortMaxAge, minHits: sortMinHits, iouThreshold: sortIoU)
            for f in first...last { out += t.update(frame: f, detections: frames[f] ?? []) }
            return out
        }
        let t = ByteTracker(configuration: byte)
        for f in first...last { out += t.update(frame: f, detections: frames[f] ?? []) }
        out = TrackPostProcessing.removeShortTracks(out, minLength: minLength)
        return TrackPostProcessing.interpolate(out, maxGap: interpolate)
    }
}

func loadDetections(_ o: VisionOptions) throws -> [Int: [Detection]] {
    let path = try o.string("--detections")
    if o.flags.contains("--jsonl") {
        var msgs = try DetectionStreamParser.load(path: path)
        let cams = Set(msgs.map(\.cameraID))
        if let cam = o.values["--camera"] {
            msgs = msgs.filter { $0.cameraID == cam }
            if msgs.isEmpty { throw VisionUsageError(description: "no messages for camera '\(cam)'") }
        } else if cams.count > 1 {
            throw VisionUsageError(description: "stream has \(cams.count) cameras (\(cams.sorted().joined(separator: ", "))); choose one with --camera")
        }
        return DetectionMessage.framesByIndex(msgs, fps: try o.double("--fps", 25))
    }
    return MOTChallengeIO.detectionsByFrame(try MOTChallengeIO.load(path: path))
}

func jsonString(_ obj: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}

func runTrack(_ o: VisionOptions) throws {
    try o.checkKnown(TrackingSetup.optionNames.union(["--detections", "--out", "--jsonl", "--camera", "--fps"]))
    let setup = try TrackingSetup(options: o)
    let frames = try loadDetections(o)
    let out = try o.string("--out")
    let rows = setup.run(frames)
    do {
        try MOTChallengeIO.format(rows).write(toFile: out, atomically: true, encoding: .utf8)
    } catch {
        throw VisionUsageError(description: "cannot write \(out): \(error.localizedDescription)")
    }
    let ids = Set(rows.map(\.trackID)).count
    FileHandle.standardError.write(Data("wrote \(rows.count) boxes, \(ids) tracks to \(out)\n".utf8))
}

func runEvaluate(_ o: VisionOptions) throws {
    try o.checkKnown(["--gt", "--result", "--json", "--min-gt-conf"])
    let gt = try MOTChallengeIO.load(path: try o.string("--gt"))
    let res = try MOTChallengeIO.load(path: try o.string("--result"))
    let m = MOTEvaluator.evaluate(groundTruth: gt, hypotheses: res, minGTConfidence: try o.double("--min-gt-conf", -1))
    if o.flags.contains("--json") {
        print(jsonString(m.dictionary))
    } else {
        print(String(format: "MOTA %.4f  MOTP %.4f  IDF1 %.4f  IDP %.4f  IDR %.4f  Prcn %.4f  Rcll %.4f",
                     m.mota, m.motp, m.idf1, m.idp, m.idr, m.precision, m.recall))
        print("FP \(m.numFalsePositives)  FN \(m.numMisses)  IDs \(m.numSwitches)  FM \(m.numFragmentations)  frames \(m.numFrames)  objects \(m.numObjects)")
    }
}

func runBench(_ o: VisionOptions) throws {
    try o.checkKnown(TrackingSetup.optionNames.union(["--detections", "--repeat", "--jsonl", "--camera", "--fps"]))
    let setup = try TrackingSetup(options: o)
    let frames = try loadDetections(o)
    let repeatCount = max(1, try o.int("--repeat", 10))
    guard let first = frames.keys.min(), let last = frames.keys.max() else { throw VisionUsageError(description: "no detections") }
    let nFrames = last - first + 1
    var total = 0
    let clock = ContinuousClock()
    let elapsed = clock.measure {
        for _ in 0..<repeatCount { total += setup.run(frames).count }
    }
    let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let fps = Double(nFrames * repeatCount) / secs
    print(jsonString(["frames": nFrames, "repeat": repeatCount, "seconds": secs, "frames_per_second": fps, "boxes_out": total / repeatCount]))
}

func runRules(_ o: VisionOptions) throws {
    try o.checkKnown(["--config", "--tracks", "--class", "--detector-classes"])
    let config = try CameraConfiguration.load(path: try o.string("--config"))
    if let dc = o.values["--detector-classes"] {
        try config.validate(detectorClasses: dc.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
    }
    let cls = o.values["--class"] ?? "person"
    let rows = try MOTChallengeIO.load(path: try o.string("--tracks")).map {
        TrackedBox(frame: $0.frame, trackID: $0.id, box: $0.box, score: $0.confidence, classLabel: cls)
    }
    let engine = RulesEngine(configuration: config)
    for e in engine.run(rows) { print(e.jsonLine()) }
    for rule in config.rules where rule.kind == .lineCrossing {
        let c = engine.lineCounts(ruleID: rule.id)
        FileHandle.standardError.write(Data("line \(rule.id): in \(c.inCount), out \(c.outCount)\n".utf8))
    }
}

/// Entry point of `aqyl vision ARGS…` (subcommand first). Returns the exit code.
public func visionMain(_ arguments: [String]) -> Int32 {
    let args = ["aqyl-vision"] + arguments
    guard args.count >= 2 else {
        FileHandle.standardError.write(Data((visionUsage + "\n").utf8))
        return 1
    }
    do {
        let opts = try VisionOptions(args.dropFirst(2))
        switch args[1] {
        case "track": try runTrack(opts)
        case "evaluate": try runEvaluate(opts)
        case "bench": try runBench(opts)
        case "rules": try runRules(opts)
        case "help", "--help", "-h":
            print(visionUsage)
        default:
            throw VisionUsageError(description: "unknown subcommand '\(args[1])'")
        }
        return 0
    } catch let e as VisionUsageError {
        FileHandle.standardError.write(Data("error: \(e.description)\n\n\(visionUsage)\n".utf8))
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    }
    return 1
}

