import AqylCore
import AqylDemo
import AqylTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Open311 GeoReport v2 in XML, the format its specification requires: element names and nesting, the single-request
/// and token methods as lists of one, errors in the specification's form and codes, discovery.
@Suite struct Open311XMLTests {
    static func doc(_ r: Reply) throws -> XMLDocument { try XMLDocument(data: Data(r.body.utf8)) }
    static func texts(_ d: XMLDocument, _ xpath: String) throws -> [String] { try d.nodes(forXPath: xpath).compactMap(\.stringValue) }

    static func form(_ client: any TestClientProtocol, _ path: String, _ body: String) async throws -> Reply {
        try await client.send(.post, path, rawBody: ByteBuffer(string: body),
                              headers: [.contentType: "application/x-www-form-urlencoded"])
    }

    @Test func everyMethodAnswersInTheSpecificationsXML() async throws {
        try await TestServer.run { server, client in
            let services = try await client.send(.get, "/open311/v2/services.xml?jurisdiction_id=kz")
            #expect(services.status == .ok && services.headers[.contentType] == "text/xml; charset=utf-8")
            #expect(services.body.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<services><service>"))
            let s = try Self.doc(services)
            #expect(try Self.texts(s, "/services/service/service_code").count == 7)
            #expect(try Self.texts(s, "/services/service[service_code='traffic_accident']/metadata") == ["true"])

            let def = try Self.doc(try await client.send(.get, "/open311/v2/services/traffic_accident.xml"))
            #expect(try Self.texts(def, "/service_definition/attributes/attribute/code") == ["injured", "vehicles"])
            #expect(try Self.texts(def, "/service_definition/attributes/attribute[code='injured']/values/value/key") == ["yes", "no"])

            let user = try #require(try await server.core.user(username: "integrator.bank"))
            let key = try await server.core.issueToken(for: user, kind: "api", label: "xml", lifetime: nil, actor: "test").token
            let posted = try await Self.form(client, "/open311/v2/requests.xml",
                                             "api_key=\(key)&service_code=accident&kato=711210000&description=%D0%9B%D1%8E%D0%BA&attribute%5Binjured%5D=no")
            #expect(posted.status == .created, "\(posted.body)")
            let p = try Self.doc(posted)
            let id = try #require(try Self.texts(p, "/service_requests/request/service_request_id").first)
            let token = try #require(try Self.texts(p, "/service_requests/request/token").first)
            #expect(try Self.texts(p, "/service_requests/request/service_notice").first?.isEmpty == false)

            let one = try Self.doc(try await client.send(.get, "/open311/v2/requests/\(id).xml"))
            #expect(try one.nodes(forXPath: "/service_requests/request").count == 1)
            #expect(try Self.texts(one, "/service_requests/request/status") == ["open"])
            #expect(try Self.texts(one, "/service_requests/request/requested_datetime").first?.hasSuffix("+05:00") == true)
            #expect(try one.nodes(forXPath: "//description").isEmpty && (try one.nodes(forXPath: "//address")).isEmpty)

            let byToken = try Self.doc(try await client.send(.get, "/open311/v2/tokens/\(token).xml"))
            #expect(try Self.texts(byToken, "/service_requests/request/service_request_id") == [id])

            let list = try Self.doc(try await client.send(.get, "/open311/v2/requests.xml?service_code=accident,traffic_accident&status=open"))
            #expect(try Self.texts(list, "/service_requests/request/service_request_id").contains(id))

            let discovery = try Self.doc(try await client.send(.get, "/open311/discovery.xml"))
            #expect(try Self.texts(discovery, "/discovery/endpoints/endpoint/formats/format") == ["text/xml", "application/json"])
        }
    }

    @Test func errorsAreTheSpecificationsListWithItsCodes() async throws {
        try await TestServer.run { _, client in
            let noKey = try await Self.form(client, "/open311/v2/requests.xml", "service_code=accident&kato=711210000&description=x")
            #expect(noKey.status == .forbidden)
            let e = try Self.doc(noKey)
            #expect(try Self.texts(e, "/errors/error/code") == ["403"])
            #expect(try Self.texts(e, "/errors/error/description").first?.contains("api_key") == true)

            let badKey = try await Self.form(client, "/open311/v2/requests.json", "api_key=aqyl_nope&service_code=accident&kato=711210000&description=x")
            #expect(badKey.status == .forbidden)
            #expect(badKey.array.first?["code"] as? Int == 403)

            #expect(try await client.send(.get, "/open311/v2/services.xml?jurisdiction_id=xx").status == .notFound)
            #expect(try await client.send(.get, "/open311/v2/services/nothing.json").array.first?["code"] as? Int == 404)
            let window = try await client.send(.get, "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z")
            #expect(window.status == .badRequest && window.array.first?["code"] as? Int == 400)
        }
    }
}
