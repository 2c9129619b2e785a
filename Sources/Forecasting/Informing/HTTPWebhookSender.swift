import AsyncHTTPClient
import Foundation
import NIOCore

/// Webhooks over HTTP with AsyncHTTPClient's shared client; 10 s per attempt.
public struct HTTPWebhookSender: WebhookSender {
    public init() {}

    public func post(url: String, body: Data, headers: [String: String]) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
