import AqylML
import Foundation
import Testing
@testable import Vision

/// A 10×10 box whose foot point (bottom centre) is at (x, y).
private func obs(_ id: Int, _ x: Double, _ y: Double, _ cls: String = "person") -> TrackObservation {
    TrackObservation(trackID: id, classLabel: cls, box: BoundingBox(x: x - 5, y: y - 10, w: 10, h: 10), score: 0.9)
}

private func config(fps: Double = 10, _ rules: [Rule]) -> CameraConfiguration {
    CameraConfiguration(version: 4, cameraID: "cam-1", districtKATO: "751110000", fps: fps, firstFrame: 0, rules: rules)
}

private let square = Polygon([Point(x: 0, y: 0), Point(x: 100, y: 0), Point(x: 100, y: 100), Point(x: 0, y: 100)])

/// Feeds one track along a list of foot-point y values at x = 50 and returns the events.
private func runLine(_ ys: [Double], x: Double = 50, hysteresis: Double = 5) -> (events: [VisionEvent], engine: RulesEngine) {
    // Line from A(0,100) to B(200,100): "right of A→B on screen" is below it (y > 100).
    let rule = Rule(id: "gate", spec: .lineCrossing(LineCrossingRule(line: LineSegment(a: Point(x: 0, y: 100), b: Point(x: 200, y: 100)),
                                                                     hysteresisPixels: hysteresis)))
    let engine = RulesEngine(configuration: config([rule]))
    var events: [VisionEvent] = []
    for (f, y) in ys.enumerated() { events += engine.process(frame: f, tracks: [obs(1, x, y)]) }
    return (events, engine)
}

@Test func lineTouchedTwiceWithoutCrossingCountsNothing() {
    // Approaches to 2 px and 4 px from the line (inside the ±5 px dead band) and backs off, twice.
    let r = runLine([50, 80, 98, 80, 60, 96, 104, 96, 70])
    #expect(r.events.isEmpty)
    #expect(r.engine.lineCounts(ruleID: "gate") == (0, 0))
}

@Test func lineCrossedAndCrossedBackCountsOneInOneOut() {
    let r = runLine([50, 90, 99, 101, 120, 150, 120, 101, 99, 80, 50])
    #expect(r.engine.lineCounts(ruleID: "gate") == (1, 1))
    #expect(r.events.map { $0.attributes["direction"] } == ["in", "out"])
    // The crossing is reported on the first frame beyond the dead band (y = 120 at frame 4, y = 80 at frame 9).
    #expect(r.events.map(\.startFrame) == [4, 9])
    #expect(r.events.allSatisfy { $0.ruleVersion == 4 && $0.ruleKind == .lineCrossing && $0.trackIDs == [1] })
}

@Test func lineCrossingBeyondTheSegmentEndIsIgnored() {
    let r = runLine([50, 150, 50], x: 300)
    #expect(r.engine.lineCounts(ruleID: "gate") == (0, 0))
}

@Test func loiteringFiresAfterLimitOnly() {
    let rule = Rule(id: "bench", spec: .loitering(LoiteringRule(zone: square, maxSeconds: 3)))
    let engine = RulesEngine(configuration: config([rule]))
    var events: [VisionEvent] = []
    for f in 0...60 {
        var t = [obs(1, 50, 50)]                     // stays the whole time
        if f <= 25 { t.append(obs(2, 20, 20)) }      // leaves after 2.5 s
        t.append(obs(3, 150, 50))                    // outside the zone
        events += engine.process(frame: f, tracks: t)
    }
    #expect(events.count == 1)
    #expect(events[0].trackIDs == [1])
    #expect(events[0].startFrame == 0 && events[0].endFrame == 30)   // 30 frames at 10 fps = 3 s
    #expect(events[0].startSeconds == 0 && events[0].endSeconds == 3)
    #expect(events[0].ruleKind == .loitering)
    #expect(events[0].evidence.count == 2)
}

@Test func intrusionDwellTimeAndGapBridging() {
    let rule = Rule(id: "zone", spec: .intrusion(IntrusionRule(zone: square, classes: ["person"], minDwellSeconds: 1, maxGapSeconds: 0.5)))
    let engine = RulesEngine(configuration: config([rule]))
    var events: [VisionEvent] = []
    // Track 1 is inside for frames 0–5, hidden 6–8 (0.3 s gap, bridged), inside again 9–12 → fires at frame 10.
    // Track 2 is inside 0–7, away 8–20 (reset), back 21–28: never 1 s in a row → no event.
    for f in 0...30 {
        var t: [TrackObservation] = []
        if f <= 5 || (9...12).contains(f) { t.append(obs(1, 50, 50)) }
        if f <= 7 || (21...28).contains(f) { t.append(obs(2, 60, 60)) }
        events += engine.process(frame: f, tracks: t)
    }
    #expect(events.map(\.trackIDs) == [[1]])
    #expect(events.first?.endFrame == 10)
    // Zero dwell fires on the first frame inside; other classes are ignored.
    let zero = RulesEngine(configuration: config([Rule(id: "z", spec: .intrusion(IntrusionRule(zone: square)))]))
    #expect(zero.process(frame: 0, tracks: [obs(5, 50, 50, "car")]).isEmpty)
    #expect(zero.process(frame: 1, tracks: [obs(5, 50, 50)]).count == 1)
}

@Test func crowdThresholdFiresOncePerEpisode() {
    let rule = Rule(id: "crowd", spec: .crowd(CrowdRule(zone: square, maxCount: 5, clearSeconds: 1)))
    let engine = RulesEngine(configuration: config([rule]))
    func people(_ n: Int) -> [TrackObservation] { (0..<n).map { obs($0, 10 + Double($0) * 8, 50) } + [obs(99, 500, 500)] }
    var fired: [Int] = []
    for f in 0..<60 {
        let n = f < 10 ? 3 : (f < 30 ? 6 : (f < 45 ? 2 : 5))
        fired += engine.process(frame: f, tracks: people(n)).map(\.startFrame)
    }
    // Rising edges at 10 (6 ≥ 5) and 45 (5 ≥ 5, after > 1 s below the threshold); 6 people stay one episode.
    #expect(fired == [10, 45])
}

@Test func crowdFarAboveHourlyBaseline() {
    let rule = Rule(id: "crowd", spec: .crowd(CrowdRule(zone: square, maxCount: nil, baselineK: 3, baselineMinObservations: 10,
                                                         baselineMinCount: 3)))
    let engine = RulesEngine(configuration: config(fps: 1, [rule]))
    var events: [VisionEvent] = []
    for f in 0..<30 {
        let n = f < 20 ? (f % 2 == 0 ? 1 : 2) : 6   // usual 1–2 people, then 6
        events += engine.process(frame: f, tracks: (0..<n).map { obs($0, 10 + Double($0) * 8, 50) })
    }
    #expect(events.count == 1)
    #expect(events.first?.startFrame == 20)
    #expect(events.first?.attributes["count"] == "6")
    #expect(engine.crowdBaseline(ruleID: "crowd", hour: 0)?.count == 30)
}

private func runAbandoned(ownerReturnsAt: Int?) -> [VisionEvent] {
    let rule = Rule(id: "bag", spec: .abandonedObject(AbandonedObjectRule(objectClasses: ["backpack", "suitcase"], ownerSearchPixels: 100,
                                                                          ownerDistancePixels: 80, abandonSeconds: 3,
                                                                          stationaryPixels: 10, stationarySeconds: 1)))
    let engine = RulesEngine(configuration: config([rule]))
    var events: [VisionEvent] = []
    for f in 0..<100 {
        var t = [obs(2, 210, 200, "backpack")]       // bag appears next to person 1 and never moves
        t.append(obs(3, 260, 200))                  // a bystander closer later on, but not the owner
        let ownerX: Double
        if f < 10 {
            ownerX = 200                           // owner beside the bag
        } else if let back = ownerReturnsAt, f >= back {
            ownerX = 205                           // came back
        } else {
            ownerX = 200 + Double(f - 9) * 20      // walks away
        }
        if ownerX < 640 { t.append(obs(1, ownerX, 200)) }   // leaves the picture at some point
        events += engine.process(frame: f, tracks: t)
    }
    return events
}

@Test func abandonedObjectOwnerReturnsNoEvent() {
    // Owner away from frame ~14 (> 80 px) and back at frame 30 (< 3 s later): nothing fires.
    #expect(runAbandoned(ownerReturnsAt: 30).isEmpty)
}

@Test func abandonedObjectOwnerLeavesEvent() {
    let events = runAbandoned(ownerReturnsAt: nil)
    #expect(events.count == 1)
    let e = events[0]
    #expect(e.ruleKind == .abandonedObject && e.attributes["state"] == "alarm")
    #expect(e.trackIDs == [2, 1])                      // object, then owner (not the bystander 3)
    // Owner is > 80 px away from frame 14 (x = 300 → 90 px); alarm 3 s = 30 frames later.
    #expect(e.startFrame == 14 && e.endFrame == 44)
}

@Test func abandonedObjectClearsWhenOwnerReturnsAfterAlarm() {
    let events = runAbandoned(ownerReturnsAt: 60)
    #expect(events.map { $0.attributes["state"] } == ["alarm", "cleared"])
    #expect(events[1].startFrame == 60)
}

@Test func configurationParsesAndRefusesMissingClasses() throws {
    let json = """
    {"version": 2, "camera_id": "cam-7", "district_kato": "751110000", "fps": 25,
     "rules": [
       {"id": "gate", "type": "line_crossing", "line": [[0, 10], [100, 10]], "hysteresis_px": 4},
       {"id": "left-bag", "type": "abandoned_object", "object_classes": ["backpack", "suitcase"], "abandon_seconds": 20},
       {"id": "sq", "type": "crowd", "zone": [[0,0],[10,0],[10,10]], "max_count": 30}
     ]}
    """
    let cfg = try CameraConfiguration.parse(Data(json.utf8))
    #expect(cfg.rules.map(\.kind) == [.lineCrossing, .abandonedObject, .crowd])
    #expect(cfg.version == 2 && cfg.fps == 25)
    try cfg.validate(detectorClasses: ["person", "backpack", "suitcase", "car"])
    #expect(throws: MissingClassError(ruleID: "left-bag", ruleKind: .abandonedObject, missingClasses: ["suitcase"])) {
        try cfg.validate(detectorClasses: ["person", "backpack"])
    }
    do {
        try cfg.validate(detectorClasses: ["car"])
        Issue.record("expected refusal")
    } catch let e as MissingClassError {
        #expect(e.ruleID == "gate")
        #expect(e.description.contains("'gate'") && e.description.contains("'person'"))
    }
}

@Test func configurationStrictValidation() {
    func error(_ json: String) -> ValidationError? {
        do { _ = try CameraConfiguration.parse(Data(json.utf8)); return nil } catch let e as ValidationError { return e } catch { return nil }
    }
    let base = #""version": 1, "camera_id": "c", "fps": 10"#
    #expect(error("{\(base), \"district_kato\": \"12345\", \"rules\": []}")?.path == "district_kato")
    #expect(error("{\(base), \"district_kato\": \"751110000\", \"rules\": [], \"colour\": 1}")?.path == "colour")
    #expect(error("{\(base), \"district_kato\": \"751110000\", \"rules\": [{\"id\": \"a\", \"type\": \"teleport\"}]}")?.path == "rules[0].type")
    #expect(error("{\(base), \"district_kato\": \"751110000\", \"rules\": [{\"id\": \"a\", \"type\": \"loitering\", \"zone\": [[0,0],[1,0],[1,1]], \"max_seconds\": \"5\"}]}")?.path == "rules[0].max_seconds")
    #expect(error("{\(base), \"district_kato\": \"751110000\", \"rules\": [{\"id\": \"a\", \"type\": \"intrusion\", \"zone\": [[0,0],[1,1]]}]}")?.path == "rules[0].zone")
    #expect(error("{\(base), \"district_kato\": \"751110000\", \"rules\": [{\"id\": \"a\", \"type\": \"crowd\", \"zone\": [[0,0],[1,0],[1,1]], \"max_count\": 3}, {\"id\": \"a\", \"type\": \"crowd\", \"zone\": [[0,0],[1,0],[1,1]]}]}")?.path == "rules[1].id")
}

@Test func externalCameraEventStrictDecoding() throws {
    let good = """
    {"schema_version": 1, "event_id": "ev-1", "camera_id": "cam-1", "vendor": "acme", "event_type": "line_crossing",
     "start_time": "2026-01-01T10:00:00Z", "end_time": "2026-01-01T10:00:02.500Z", "confidence": 0.8,
     "district_kato": "751110000", "objects": [{"class": "person", "track_id": 7, "box": {"x": 1, "y": 2, "w": 3, "h": 4}}]}
    """
    let ev = try JSONDecoder().decode(ExternalCameraEvent.self, from: Data(good.utf8))
    #expect(ev.objects.first?.trackID == 7 && ev.confidence == 0.8)
    let v = try #require(ev.toVisionEvent())
    #expect(v.ruleKind == .lineCrossing && v.endSeconds == 2.5 && v.trackIDs == [7])
    // Round trip through the encoder.
    let again = try ExternalCameraEvent.parse(JSONEncoder().encode(ev))
    #expect(again == ev)

    func path(_ replace: String, with: String) -> String? {
        let bad = good.replacingOccurrences(of: replace, with: with)
        do { _ = try ExternalCameraEvent.parse(Data(bad.utf8)); return nil } catch let e as ValidationError { return e.path } catch { return "other" }
    }
    #expect(path("\"confidence\": 0.8", with: "\"confidence\": 1.8") == "confidence")
    #expect(path("\"vendor\": \"acme\"", with: "\"vendor\": \"acme\", \"firmware\": \"2\"") == "firmware")
    #expect(path("line_crossing", with: "alien_landing") == "event_type")
    #expect(path("\"end_time\": \"2026-01-01T10:00:02.500Z\"", with: "\"end_time\": \"2025-01-01T10:00:00Z\"") == "end_time")
    #expect(path("\"track_id\": 7", with: "\"track_id\": \"7\"") == "objects[0].track_id")
    #expect(path("\"schema_version\": 1", with: "\"schema_version\": 2") == "schema_version")
    #expect(path("\"w\": 3", with: "\"w\": 0") == "objects[0].box.w")
}

@Test func framesMapToTimesByFPS() throws {
    var cfg = config(fps: 25, [])
    cfg.startTime = parseISO8601("2026-01-01T10:00:00Z")
    cfg.utcOffsetHours = 5
    #expect(cfg.seconds(ofFrame: 50) == 2)
    #expect(cfg.time(ofFrame: 25).map(formatISO8601) == "2026-01-01T10:00:01.000Z")
    #expect(RulesEngine(configuration: cfg).hourOfDay(frame: 0) == 15)
}
