import AqylCore
import Foundation

/// One Open311 GeoReport v2 answer, built once and written in either of the specification's formats: XML (required
/// by the specification) or JSON. A document is a root element name and a value; a list names its item elements
/// (`<services><service>…</service></services>` in XML, a JSON array in JSON).
struct Open311Document {
    enum Format: String { case json, xml }

    indirect enum Value {
        case string(String)
        case int(Int)
        case number(Double)
        case bool(Bool)
        case date(Date)
        /// Keys in the specification's order (XML keeps it; JSON objects have none).
        case object([(String, Value?)])
        /// Items written as `<item>` elements in XML.
        case list(item: String, [Value])
    }

    var root: String
    var value: Value

    static let specification = "http://wiki.open311.org/GeoReport_v2"

    /// Times as the specification wants them: ISO 8601 with the offset, here Kazakhstan's UTC+5.
    static func time(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        f.timeZone = TimeZone(secondsFromGMT: KazakhstanTime.offsetSeconds)
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return f.string(from: d)
    }

    func response(_ format: Format, status: Int = 200) -> APIResponse {
        switch format {
        case .json:
            let data = (try? JSONSerialization.data(withJSONObject: Self.json(value), options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data("[]".utf8)
            return APIResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: data)
        case .xml:
            var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            Self.write(root, value, into: &out)
            out += "\n"
            return APIResponse(status: status, headers: [("Content-Type", "text/xml; charset=utf-8")], body: Data(out.utf8))
        }
    }

    static func json(_ v: Value) -> Any {
        switch v {
        case .string(let s): return s
        case .int(let i): return i
        case .number(let d): return d
        case .bool(let b): return b
        case .date(let d): return time(d)
        case .object(let fields):
            var o: [String: Any] = [:]
            for (k, v) in fields { if let v { o[k] = json(v) } }
            return o
        case .list(_, let items): return items.map(json)
        }
    }

    static func write(_ name: String, _ v: Value, into out: inout String) {
        switch v {
        case .object(let fields):
            out += "<\(name)>"
            for (k, v) in fields { if let v { write(k, v, into: &out) } }
            out += "</\(name)>"
        case .list(let item, let items):
            out += "<\(name)>"
            for i in items { write(item, i, into: &out) }
            out += "</\(name)>"
        case .string(let s): out += "<\(name)>\(escape(s))</\(name)>"
        case .int(let i): out += "<\(name)>\(i)</\(name)>"
        case .number(let d): out += "<\(name)>\(d)</\(name)>"
        case .bool(let b): out += "<\(name)>\(b ? "true" : "false")</\(name)>"
        case .date(let d): out += "<\(name)>\(time(d))</\(name)>"
        }
    }

    /// Text as XML 1.0 allows it: the five special characters escaped, characters XML cannot carry dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = u.value
                if v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000 {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// An error in the specification's form (`<errors><error><code>…</code><description>…</description></error></errors>`,
    /// or the JSON array of `{code, description}`), with the specification's status codes: 403 for a missing or invalid
    /// `api_key`, 404 for an unknown jurisdiction, service or request, 400 for any other refused request.
    static func error(_ e: AqylError, format: Format) -> APIResponse {
        let status: Int = switch e.kind {
        case .unauthorized, .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .payloadTooLarge: 413
        case .methodNotAllowed: 405
        case .tooManyRequests: 429
        case .internalError: 500
        case .unavailable: 503
        case .badRequest, .unprocessable: 400
        }
        let description = e.field.map { "\(e.message) (\($0))" } ?? e.message
        return Open311Document(root: "errors", value: .list(item: "error", [
            .object([("code", .int(status)), ("description", .string(description))]),
        ])).response(format, status: status)
    }
}
