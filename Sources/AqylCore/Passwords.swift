import AqylKit
import Foundation
import HummingbirdBcrypt

/// Password hashing with bcrypt, and opaque API tokens stored only as their SHA-256.
public enum Passwords {
    /// bcrypt cost used for new passwords. 12 in production; tests may lower it (minimum 4).
    public static func hash(_ password: String, cost: UInt8 = 12) throws(AqylError) -> String {
        guard password.codePointCount >= 8 else {
            throw .invalid("password", "password must be at least 8 characters")
        }
        guard password.codePointCount <= 72 else {
            throw .invalid("password", "password must be at most 72 characters")
        }
        guard password.utf8.count <= 72 else {
            throw .refused("password", "password must be at most 72 bytes of UTF-8 (bcrypt's limit)")
        }
        return Bcrypt.hash(password, cost: cost)
    }

    public static func verify(_ password: String, hash: String) -> Bool {
        guard password.utf8.count <= 72 else { return false }
        return Bcrypt.verify(password, hash: hash)
    }

    /// A new random token: `aqyl_` + 43 characters of URL-safe base64 (256 bits).
    public static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let b64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "aqyl_" + b64
    }

    /// What the store keeps for a token: its SHA-256 in hex, so a database leak reveals no tokens.
    public static func tokenDigest(_ token: String) -> String {
        Hashing.sha256Hex(Data(token.utf8))
    }
}
