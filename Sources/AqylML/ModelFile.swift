import Foundation

/// Problems reading a model file.
public enum ModelFileError: Error, CustomStringConvertible, Equatable {
    case notAModel(String)
    case unsupportedVersion(Int)
    case corrupt(String)

    public var description: String {
        switch self {
        case .notAModel(let p): return "\(p) is not an AqylML forest model file"
        case .unsupportedVersion(let v): return "model format version \(v) is not supported (this library reads version \(ForestModel.formatVersion))"
        case .corrupt(let r): return "corrupt model file: \(r)"
        }
    }
}

/// Model file layout (little-endian):
///   "AQRF" | UInt32 format version | UInt32 header length | JSON header | binary sections
/// The JSON header is self-describing (features with types and category levels, classes, parameters,
/// training-data digest, metrics) and lists every binary section (name, element type, count) in order.
struct ModelHeader: Codable {
    struct Feature: Codable {
        var name: String
        var type: String
        var levels: [String]?
        var edgeCount: Int
    }
    struct Section: Codable {
        var name: String
        var type: String
        var count: Int
    }
    var format: String
    var formatVersion: Int
    var features: [Feature]
    var classes: [String]
    var parameters: TrainingParameters
    var metadata: ModelMetadata
    var calibrator: IsotonicCalibrator?
    var treeCount: Int
    var nodeCount: Int
    var sections: [Section]
}

extension ForestModel {
    static let magic: [UInt8] = Array("AQRF".utf8)

    /// Serialises the model (see `ModelHeader` for the layout).
    public func serialized() throws -> Data {
        var sections: [ModelHeader.Section] = []
        var body = Data()
        func add<T>(_ name: String, _ type: String, _ a: [T]) {
            sections.append(.init(name: name, type: type, count: a.count))
            a.withUnsafeBytes { body.append(contentsOf: $0) }
        }
        add("edges", "f32", features.flatMap(\.edges))
        add("tree_roots", "i32", treeRoots)
        add("feature", "i32", feature)
        add("threshold_bin", "u8", binThreshold)
        add("threshold", "f32", threshold)
        add("left_child", "i32", left)
        add("missing_left", "u8", missingLeft)
        add("category_set", "i32", catIndex)
        add("category_words", "u64", catWords)
        add("value", "f32", value)
        add("cover", "f32", cover)
        let header = ModelHeader(
            format: "aqyl-random-forest", formatVersion: ForestModel.formatVersion,
            features: features.map {
                .init(name: $0.name, type: $0.kind.isCategorical ? "categorical" : "numeric",
                      levels: $0.kind.isCategorical ? $0.kind.levels : nil, edgeCount: $0.edges.count)
            },
            classes: classes, parameters: parameters, metadata: metadata, calibrator: calibrator,
            treeCount: treeCount, nodeCount: nodeCount, sections: sections)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let json = try enc.encode(header)
        var out = Data(ForestModel.magic)
        var v = UInt32(ForestModel.formatVersion).littleEndian
        withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
        var l = UInt32(json.count).littleEndian
        withUnsafeBytes(of: &l) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(body)
        return out
    }

    /// Writes the model file.
    public func save(to path: String) throws {
        try serialized().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a model file.
    public static func load(path: String) throws -> ForestModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError.corrupt("cannot read \(path)")
        }
        return try ForestModel(serialized: data, name: path)
    }

    /// Decodes a serialised model.
    public init(serialized data: Data, name: String = "<data>") throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 12, Array(bytes[0..<4]) == ForestModel.magic else { throw ModelFileError.notAModel(name) }
        func u32(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24 }
        let version = u32(4)
        guard version == ForestModel.formatVersion else { throw ModelFileError.unsupportedVersion(version) }
        let hl = u32(8)
        guard 12 + hl <= bytes.count else { throw ModelFileError.corrupt("truncated header") }
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(ModelHeader.self, from: Data(bytes[12..<(12 + hl)]))
        } catch {
            throw ModelFileError.corrupt("unreadable header: \(error)")
        }
        var offset = 12 + hl
        var raw: [String: (Int, Int)] = [:]  // name -> (offset, count)
        let sizes = ["f32": 4, "i32": 4, "u8": 1, "u64": 8]
        for s in header.sections {
            guard let size = sizes[s.type], s.count >= 0 else { throw ModelFileError.corrupt("bad section \(s.name)") }
            raw[s.name] = (offset, s.count)
            offset += size * s.count
        }
        guard offset <= bytes.count else { throw ModelFileError.corrupt("truncated body") }
        func array<T>(_ name: String, _: T.Type) throws -> [T] {
            guard let (o, c) = raw[name] else { throw ModelFileError.corrupt("missing section \(name)") }
            return [T](unsafeUninitializedCapacity: c) { buf, n in
                bytes.withUnsafeBytes { src in
                    UnsafeMutableRawBufferPointer(buf).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: src[o..<(o + c * MemoryLayout<T>.stride)]))
                }
                n = c
            }
        }
        let edges = try array("edges", Float.self)
        var features: [FeatureInfo] = []
        var e = 0
        for f in header.features {
            guard e + f.edgeCount <= edges.count else { throw ModelFileError.corrupt("edge count") }
            let kind: FeatureKind = f.type == "categorical" ? .categorical(levels: f.levels ?? []) : .numeric
            features.append(FeatureInfo(name: f.name, kind: kind, edges: Array(edges[e..<(e + f.edgeCount)])))
            e += f.edgeCount
        }
        let feature = try array("feature", Int32.self)
        let left = try array("left_child", Int32.self)
        let n = feature.count
        let value = try array("value", Float.self)
        let cover = try array("cover", Float.self)
        let binThreshold = try array("threshold_bin", UInt8.self)
        let threshold = try array("threshold", Float.self)
        let missingLeft = try array("missing_left", UInt8.self)
        let catIndex = try array("category_set", Int32.self)
        let catWords = try array("category_words", UInt64.self)
        let roots = try array("tree_roots", Int32.self)
        let K = header.classes.count
        guard left.count == n, value.count == n * K, cover.count == n, binThreshold.count == n, threshold.count == n,
              missingLeft.count == n, catIndex.count == n, !roots.isEmpty, K >= 1 else {
            throw ModelFileError.corrupt("inconsistent section sizes")
        }
        for i in 0..<n where feature[i] >= 0 {
            guard Int(feature[i]) < features.count, left[i] > Int32(i), Int(left[i]) + 1 < n,
                  catIndex[i] < 0 || (Int(catIndex[i]) + 1) * 4 <= catWords.count else {
                throw ModelFileError.corrupt("node \(i) is malformed")
            }
        }
        for r in roots where r < 0 || Int(r) >= n { throw ModelFileError.corrupt("bad tree root") }
        self.init(features: features, classes: header.classes, parameters: header.parameters, metadata: header.metadata,
                  calibrator: header.calibrator, treeRoots: roots, feature: feature, binThreshold: binThreshold,
                  threshold: threshold, left: left, missingLeft: missingLeft, catIndex: catIndex, catWords: catWords,
                  value: value, cover: cover)
    }
}
