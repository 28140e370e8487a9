// swift-kmip: KMIP
//
// The HTTPS profile on async-http-client: one POST per request, mutual TLS, the body in TTLV, XML
// or JSON.

import AsyncHTTPClient
import KMIPTTLV
import KMIPXML
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Sends request bytes as HTTPS POSTs to the configured endpoints.
final class KMIPHTTPSTransport: Sendable {
    let http: HTTPClient
    let endpoints: [KMIPClientConfiguration.Endpoint]
    let path: String
    let encoding: KMIPClientConfiguration.HTTPSEncoding
    let maximumResponseSize: Int

    init(configuration: KMIPClientConfiguration, tls: TLSConfiguration, path: String, encoding: KMIPClientConfiguration.HTTPSEncoding) {
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .nanoseconds(configuration.connectTimeout.totalNanoseconds), read: .nanoseconds(configuration.requestTimeout.totalNanoseconds)))
        http.redirectConfiguration = .disallow
        http.connectionPool = .init(idleTimeout: .nanoseconds(configuration.idleTimeout.totalNanoseconds))
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        self.endpoints = configuration.endpoints
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.encoding = encoding
        self.maximumResponseSize = configuration.maximumResponseSize
    }

    func shutdown() async {
        try? await http.shutdown()
    }

    /// Posts the request (TTLV bytes, re-encoded when the body is XML or JSON) and returns the
    /// response as TTLV bytes. Connection failures move on to the next endpoint; a failure after
    /// the request was sent is `responseLost`.
    func send(_ bytes: [UInt8], timeout: Duration) async throws -> [UInt8] {
        let body: [UInt8]
        switch encoding {
        case .ttlv: body = bytes
        case .xml: body = Array(KMIPXMLEncoder().encode(try TTLVDecoder().decode(bytes)).utf8)
        case .json: body = Array(KMIPJSONEncoder().encode(try TTLVDecoder().decode(bytes)).utf8)
        }
        var lastError: KMIPError?
        for endpoint in endpoints {
            let url = "https://\(endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host):\(endpoint.port)\(path)"
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: encoding.contentType)
            request.headers.add(name: "Cache-Control", value: "no-cache")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: .nanoseconds(timeout.totalNanoseconds))
            } catch {
                let failure = Self.classify(error, endpoint: endpoint)
                guard failure.code == .connectionFailed else { throw failure }
                lastError = failure
                continue
            }
            guard response.status == .ok else {
                throw KMIPError(.unexpectedResponse, "\(url) answered HTTP \(response.status.code) \(response.status.reasonPhrase)")
            }
            let type = response.headers.first(name: "content-type") ?? ""
            guard type.lowercased().hasPrefix(encoding.contentType) || (encoding == .xml && type.lowercased().hasPrefix("application/xml")) else {
                throw KMIPError(.unexpectedResponse, "\(url) answered with Content-Type '\(type)', not \(encoding.contentType)")
            }
            let data: ByteBuffer
            do {
                data = try await response.body.collect(upTo: maximumResponseSize)
            } catch {
                throw KMIPError(.responseLost, "the response from \(url) was cut or too large: \(error)")
            }
            let reply = Array(data.readableBytesView)
            switch encoding {
            case .ttlv: return reply
            case .xml: return try TTLVEncoder().encode(try KMIPXMLDecoder().decode(reply))
            case .json: return try TTLVEncoder().encode(try KMIPJSONDecoder().decode(reply))
            }
        }
        throw lastError ?? KMIPError(.connectionFailed, "no endpoint to send to")
    }

    /// A transport error as a KMIPError: whether the request can have left.
    static func classify(_ error: any Error, endpoint: KMIPClientConfiguration.Endpoint) -> KMIPError {
        if let error = error as? KMIPError { return error }
        if error is NIOSSLError || String(describing: error).contains("handshake") || error is BoringSSLError {
            return KMIPError(.tlsFailure, "TLS with \(endpoint) failed: \(error)")
        }
        if let client = error as? HTTPClientError, client == .connectTimeout {
            return KMIPError(.connectionFailed, "cannot connect to \(endpoint): \(client)")
        }
        if error is NIOConnectionError || String(describing: error).lowercased().contains("connection refused") {
            return KMIPError(.connectionFailed, "cannot connect to \(endpoint): \(error)")
        }
        return KMIPError(.responseLost, "the HTTPS exchange with \(endpoint) broke after the request was sent; the server may have executed it: \(error)")
    }
}

extension Duration {
    var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
