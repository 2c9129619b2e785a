import Foundation
import Testing
@testable import AqylML

private func det(_ f: Int, _ x: Double, _ y: Double, score: Double = 0.95) -> Detection {
    Detection(frame: f, box: BoundingBox(x: x, y: y, w: 40, h: 100), score: score)
}

@Test func byteTrackKeepsIDThroughShortOcclusion() {
    let tracker = ByteTracker()
    var ids: [Int: Set<Int>] = [1: [], 2: []]   // object -> track ids seen
    for f in 1...40 {
        var dets: [Detection] = []
        let occluded = (15...22).contains(f)
        if !occluded { dets.append(det(f, 100 + 4 * Double(f), 100)) }      // object 1, moving right
        dets.append(det(f, 600, 300 - 2 * Double(f)))                      // object 2, moving up
        for t in tracker.update(frame: f, detections: dets) {
            let obj = t.box.cx < 500 ? 1 : 2
            ids[obj]!.insert(t.trackID)
            if occluded { #expect(obj == 2) }   // nothing is output for the hidden object
        }
    }
    #expect(ids[1]!.count == 1)
    #expect(ids[2]!.count == 1)
    #expect(ids[1] != ids[2])
}

@Test func lostTrackIsRemovedAfterBuffer() {
    var cfg = ByteTrackConfiguration()
    cfg.trackBuffer = 5
    let tracker = ByteTracker(configuration: cfg)
    var firstID = 0
    for f in 1...5 { firstID = tracker.update(frame: f, detections: [det(f, 100, 100)]).first?.trackID ?? firstID }
    for f in 6...15 { _ = tracker.update(frame: f, detections: []) }
    #expect(tracker.liveTrackCount == 0)
    var later: [Int] = []
    for f in 16...18 { later += tracker.update(frame: f, detections: [det(f, 100, 100)]).map(\.trackID) }
    #expect(!later.isEmpty && !later.contains(firstID))
}

@Test func lowScoreDetectionsNeverStartTracksButKeepThem() {
    let tracker = ByteTracker()
    var out: [TrackedBox] = []
    for f in 1...5 { out += tracker.update(frame: f, detections: [det(f, 100, 100, score: 0.3)]) }
    #expect(out.isEmpty)
    // A confirmed track continues through low-score detections (second association stage).
    let t2 = ByteTracker()
    var ids: Set<Int> = []
    for f in 1...10 {
        let s = f <= 4 ? 0.95 : 0.3
        for t in t2.update(frame: f, detections: [det(f, 100 + Double(f), 100, score: s)]) { ids.insert(t.trackID) }
    }
    #expect(ids.count == 1)
}

@Test func sortTrackerNeedsMinHitsAfterStart() {
    let sort = SORTTracker(maxAge: 1, minHits: 3, iouThreshold: 0.3)
    var counts: [Int] = []
    for f in 1...7 {
        // A second object appears at frame 4. SORT creates trackers with hit_streak 0 (the creating
        // detection is not a hit), so it reaches min_hits = 3 at frame 7 and is output from then on.
        var dets = [det(f, 100, 100)]
        if f >= 4 { dets.append(det(f, 400, 100)) }
        counts.append(sort.update(frame: f, detections: dets).count)
    }
    #expect(counts == [1, 1, 1, 1, 1, 1, 2])
}

@Test func interpolationFillsShortGapsOnly() {
    let rows = [
        TrackedBox(frame: 1, trackID: 1, box: BoundingBox(x: 0, y: 0, w: 10, h: 10), score: 1),
        TrackedBox(frame: 4, trackID: 1, box: BoundingBox(x: 30, y: 0, w: 10, h: 10), score: 1),
        TrackedBox(frame: 20, trackID: 1, box: BoundingBox(x: 30, y: 0, w: 10, h: 10), score: 1),
    ]
    let out = TrackPostProcessing.interpolate(rows, maxGap: 3)
    #expect(out.map(\.frame) == [1, 2, 3, 4, 20])
    #expect(out[1].box.x == 10 && out[2].box.x == 20)
}

@Test func motParsingAcceptsSevenToTenFields() throws {
    let rows = try MOTChallengeIO.parse("1,-1,10,20,30,40,0.9\r\n2,3,1.5,2,3,4,1,-1,-1,-1\n\n3 4 1 2 3 4 1 -1 -1\n")
    #expect(rows.count == 3)
    #expect(rows[0].frame == 1 && rows[0].id == -1 && rows[0].box == BoundingBox(x: 10, y: 20, w: 30, h: 40))
    #expect(rows[1].box.x == 1.5 && rows[1].confidence == 1)
    #expect(rows[2].frame == 3 && rows[2].id == 4)
    // Round trip of tracker output.
    let text = MOTChallengeIO.format([TrackedBox(frame: 7, trackID: 2, box: BoundingBox(x: 1.25, y: 2, w: 3, h: 4), score: 1)])
    #expect(text == "7,2,1.25,2,3,4,1,-1,-1,-1\n")
    #expect(try MOTChallengeIO.parse(text).first?.id == 2)
}

@Test func motParsingReportsLineAndReason() {
    func failure(_ text: String) -> InputLineError? {
        do { _ = try MOTChallengeIO.parse(text, source: "det.txt"); return nil } catch let e as InputLineError { return e } catch { return nil }
    }
    let a = failure("1,-1,10,20,30,40,0.9\n2,-1,10,20\n")
    #expect(a?.line == 2)
    #expect(a?.reason.contains("found 4") == true)
    let b = failure("1,-1,10,20,30,40,0.9\n\n3,-1,abc,20,30,40,0.9\n")
    #expect(b?.line == 3 && b?.field == "x")
    let c = failure("1.5,-1,10,20,30,40,0.9\n")
    #expect(c?.line == 1 && c?.field == "frame")
    let d = failure("1,-1,10,20,-30,40,0.9\n")
    #expect(d?.field == "w")
    let e = failure("1,-1,10,20,30,nan,0.9\n")
    #expect(e?.field == "h")
    #expect(b?.description == "det.txt:3: field 'x': not a finite number: 'abc'")
}

@Test func jsonLinesStreamParsesValidMessages() throws {
    let text = """
    {"camera_id":"cam-1","time":"2026-01-01T10:00:00.040Z","boxes":[{"x":1,"y":2,"w":3,"h":4,"class":"person","score":0.9}]}
    {"camera_id":"cam-1","frame":7,"boxes":[]}
    """
    let msgs = try DetectionStreamParser.parse(text)
    #expect(msgs.count == 2)
    #expect(msgs[0].boxes.first?.classLabel == "person" && msgs[0].boxes.first?.score == 0.9)
    #expect(msgs[0].time.map { abs($0.timeIntervalSince1970.truncatingRemainder(dividingBy: 1) - 0.04) < 1e-6 } == true)
    #expect(msgs[1].frame == 7)
}

@Test func jsonLinesStreamRejectsMalformedLinesWithLineAndField() {
    func failure(_ second: String) -> InputLineError? {
        let text = "{\"camera_id\":\"c\",\"frame\":1,\"boxes\":[]}\n" + second + "\n"
        do { _ = try DetectionStreamParser.parse(text); return nil } catch let e as InputLineError { return e } catch { return nil }
    }
    let box = "{\"x\":1,\"y\":2,\"w\":3,\"h\":4,\"class\":\"person\",\"score\":0.9}"
    let cases: [(String, String)] = [
        ("{\"camera_id\":\"c\",\"frame\":1,\"boxes\":[], \"extra\":1}", "extra"),
        ("{\"camera_id\":5,\"frame\":1,\"boxes\":[]}", "camera_id"),
        ("{\"camera_id\":\"c\",\"time\":\"yesterday\",\"boxes\":[]}", "time"),
        ("{\"camera_id\":\"c\",\"frame\":1.5,\"boxes\":[]}", "frame"),
        ("{\"camera_id\":\"c\",\"boxes\":[]}", "time"),
        ("{\"camera_id\":\"c\",\"frame\":1,\"boxes\":[\(box), {\"x\":1,\"y\":2,\"w\":3,\"h\":4,\"class\":\"person\",\"score\":\"0.9\"}]}", "boxes[1].score"),
        ("{\"camera_id\":\"c\",\"frame\":1,\"boxes\":[{\"x\":1,\"y\":2,\"w\":3,\"h\":4,\"class\":\"person\",\"score\":1.5}]}", "boxes[0].score"),
        ("{\"camera_id\":\"c\",\"frame\":1,\"boxes\":[{\"x\":1,\"y\":2,\"w\":-3,\"h\":4,\"class\":\"person\",\"score\":0.5}]}", "boxes[0].w"),
        ("{\"camera_id\":\"c\",\"frame\":1,\"boxes\":[{\"x\":true,\"y\":2,\"w\":3,\"h\":4,\"class\":\"person\",\"score\":0.5}]}", "boxes[0].x"),
        ("{\"camera_id\":\"c\",\"frame\":1,\"boxes\":[{\"x\":1,\"y\":2,\"w\":3,\"h\":4,\"class\":\"person\",\"score\":0.5,\"id\":3}]}", "boxes[0].id"),
    ]
    for (line, field) in cases {
        let e = failure(line)
        #expect(e?.line == 2, "\(line)")
        #expect(e?.field == field, "\(line) -> \(String(describing: e))")
    }
    #expect(failure("{not json")?.line == 2)
}
