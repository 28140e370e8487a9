// swift-kmip: KMIP
//
// How a client connects: servers, TLS, protocol version, timeouts, pool, credentials.

import Logging

/// The settings of a ``KMIPClient``.
///
/// Secure by default: TLS 1.2 or later, the server's certificate verified against the trust
/// roots, and its name (or IP address) checked against the certificate.
public struct KMIPClientConfiguration: Sendable {
    /// A KMIP server address; the port defaults to 5696 (the KMIP port assigned by IANA).
    public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        /// Host name or IP address.
        public var host: String
        /// TCP port.
        public var port: Int

        /// Creates an endpoint.
        public init(host: String, port: Int = 5696) {
            self.host = host
            self.port = port
        }

        /// Parses `HOST`, `HOST:PORT`, `[IPV6]` or `[IPV6]:PORT`.
        public init?(_ text: String) {
            var host = Substring(text)
            var port = 5696
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else { return nil }
                let rest = host[host.index(after: close)...]
                host = host[host.index(after: host.startIndex)..<close]
                if rest.hasPrefix(":") {
                    guard let value = Int(rest.dropFirst()), (1...65535).contains(value) else { return nil }
                    port = value
                } else if !rest.isEmpty {
                    return nil
                }
            } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
                guard let value = Int(host[host.index(after: colon)...]), (1...65535).contains(value) else { return nil }
                port = value
                host = host[..<colon]
            }
            guard !host.isEmpty else { return nil }
            self.init(host: String(host), port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Which protocol version requests use.
    public enum VersionPolicy: Hashable, Sendable {
        /// Discover Versions on first use and take the highest version both sides speak (falling
        /// back to lower versions of the request when the server does not understand it).
        case negotiate
        /// Always this version.
        case fixed(KMIPVersion)
    }

    /// The servers, tried in order (failover to the next when one cannot be reached).
    public var endpoints: [Endpoint]

    /// How requests travel: TTLV over mutual TLS, or the HTTPS profile.
    public enum Transport: Hashable, Sendable {
        /// TTLV messages over a mutual-TLS connection (KMIP port 5696, 1.x §10, 2.x §12).
        case ttlv
        /// The HTTPS profile (Additional Message Encodings §2): each request POSTed to `path` over
        /// mutual TLS, its body in `encoding`.
        case https(path: String = "/kmip", encoding: HTTPSEncoding = .ttlv)
    }

    /// The body encodings of the HTTPS profile.
    public enum HTTPSEncoding: String, Hashable, Sendable, CaseIterable {
        /// TTLV (`application/octet-stream`).
        case ttlv
        /// The XML encoding (`text/xml`).
        case xml
        /// The JSON encoding (`application/json`).
        case json

        /// The Content-Type of a body.
        public var contentType: String {
            switch self {
            case .ttlv: "application/octet-stream"
            case .xml: "text/xml"
            case .json: "application/json"
            }
        }
    }

    /// The transport (TTLV over mutual TLS by default).
    public var transport: Transport = .ttlv
    /// TLS settings.
    public var tls: KMIPTLSConfiguration
    /// The protocol version policy (default: negotiate).
    public var versionPolicy: VersionPolicy = .negotiate
    /// The versions the client offers when it negotiates, highest first.
    public var supportedVersions: [KMIPVersion] = KMIPVersion.specified.reversed()
    /// Time allowed to connect and complete the TLS handshake.
    public var connectTimeout: Duration = .seconds(10)
    /// Time allowed for a response once a request is sent.
    public var requestTimeout: Duration = .seconds(30)
    /// Most connections kept to the servers at once.
    public var maximumConnections: Int = 4
    /// Idle connections older than this are closed instead of reused. Keep it below the
    /// server's own idle timeout (the reference server closes idle connections after 30 s), so
    /// that a request is never written to a connection the server is closing.
    public var idleTimeout: Duration = .seconds(20)
    /// Largest response accepted, in bytes (also sent as Maximum Response Size when set there).
    public var maximumResponseSize: Int = 16 << 20
    /// Credential sent in every request header (besides the TLS client certificate).
    public var credential: Credential?
    /// How often an idempotent request is retried on a connection failure (see ``KMIPClient``).
    public var maximumRetries: Int = 2
    /// Where the client logs (never key material or passwords).
    public var logger: Logger = Logger(label: "swift-kmip.client")

    /// Creates a configuration for `endpoints` with `tls`.
    public init(endpoints: [Endpoint], tls: KMIPTLSConfiguration) {
        self.endpoints = endpoints
        self.tls = tls
    }
}

/// TLS settings of a KMIP client (KMIP profiles: TLS 1.2 or later, mutual authentication).
public struct KMIPTLSConfiguration: Sendable {
    /// Where the client's certificate and private key come from.
    public enum Identity: Sendable {
        /// No client certificate (most KMIP servers refuse the handshake then).
        case none
        /// PEM files: the certificate chain and the private key (PKCS#8, SEC1 or PKCS#1; an
        /// encrypted key needs `passphrase`).
        case pemFiles(certificateChain: String, privateKey: String, passphrase: String? = nil)
        /// A PKCS#12 file with the certificate, its chain and the key.
        case pkcs12File(String, passphrase: String)
    }

    /// Which servers are trusted.
    public enum TrustRoots: Sendable {
        /// The system's default trust store.
        case system
        /// The certificates of a PEM file (usually the key manager's CA).
        case pemFile(String)
    }

    /// The client certificate and key.
    public var identity: Identity
    /// The trust roots for the server certificate.
    public var trustRoots: TrustRoots
    /// Whether the server's name (or IP address) must match its certificate (default `true`).
    public var verifiesHostname: Bool = true
    /// Name to verify and send as SNI instead of the endpoint's host (e.g. when connecting by IP
    /// to a server whose certificate names it).
    public var serverName: String?
    /// PEM certificate files whose public keys are the only ones the server may present (public
    /// key pinning, checked after the usual verification). Empty: no pinning.
    public var pinnedCertificateFiles: [String] = []
    /// OpenSSL cipher suite list for TLS 1.2 (`nil`: the library's defaults, which include the
    /// ECDHE-ECDSA and ECDHE-RSA AES-GCM suites).
    public var cipherSuites: String?
    /// Whether TLS 1.3 may be used (default `true`; the minimum is always TLS 1.2).
    public var allowsTLS13: Bool = true

    /// Creates TLS settings.
    public init(identity: Identity, trustRoots: TrustRoots) {
        self.identity = identity
        self.trustRoots = trustRoots
    }
}
