import Crypto
import Foundation

/// SHA-256 and HMAC-SHA256 on swift-crypto, as lowercase hex. Model files, audit entries, token digests and input
/// digests store these strings, so they are the standard digests of exactly the bytes given (a string: its UTF-8).
public enum Hashing {
    public static func sha256Hex(_ data: Data) -> String { Hex.encode(SHA256.hash(data: data)) }
    public static func sha256Hex(_ string: String) -> String { sha256Hex(Data(string.utf8)) }
    public static func sha256Hex(bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { Hex.encode(SHA256.hash(data: $0)) }
    }
    public static func sha256Hex(_ buffer: UnsafeRawBufferPointer) -> String { Hex.encode(SHA256.hash(data: buffer)) }

    /// SHA-256 of a file's bytes, read in 1 MiB chunks (never the whole file in memory).
    public static func sha256Hex(fileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var digest = SHA256Digest()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { digest.update(data: $0) }
        }
        return digest.finalizeHex()
    }

    /// HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256(key: Data, message: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
    public static func hmacSHA256Hex(key: Data, message: Data) -> String { hmacSHA256(key: key, message: message).hexString }
    public static func hmacSHA256Hex(key: Data, message: String) -> String { hmacSHA256Hex(key: key, message: Data(message.utf8)) }
}

/// Incremental SHA-256 (swift-crypto underneath): feed bytes with `update`, read the lowercase hex with `finalizeHex`.
/// Note: swift-crypto has a type of the same name (its digest value); a file importing both `Crypto` and `AqylKit`
/// writes `AqylKit.SHA256Digest`.
public struct SHA256Digest: @unchecked Sendable {  // swift-crypto's SHA256 is a plain value (its state), not marked Sendable
    private var hasher = SHA256()

    public init() {}

    public mutating func update(data: UnsafeRawBufferPointer) { hasher.update(bufferPointer: data) }
    public mutating func update(bytes: [UInt8]) { bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
    public mutating func update(string: String) {
        var s = string
        s.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    /// The lowercase hex digest of everything fed so far (the hasher can keep taking input afterwards).
    public mutating func finalizeHex() -> String { Hex.encode(hasher.finalize()) }

    /// SHA-256 of a byte string, hex encoded.
    public static func hex(_ bytes: [UInt8]) -> String { Hashing.sha256Hex(bytes: bytes) }
}
