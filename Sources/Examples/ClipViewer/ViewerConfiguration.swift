// swift-kmip: ClipViewer
//
// How the viewer is set up. Secure by default: loopback only, HTTPS with a generated
// certificate, short sessions, a login rate limit.

import Foundation

/// How the viewer's HTTPS is set up.
public enum ViewerTLS: Hashable, Sendable {
    /// A self-signed certificate (P-256) for the listen address, `localhost`, `127.0.0.1` and
    /// `::1`, generated into `directory` on first start (`viewer-certificate.pem`,
    /// `viewer-key.pem`, mode 0600) and reused while it is valid.
    case generated(directory: String)
    /// A certificate chain and private key in PEM files.
    case files(certificateChain: String, privateKey: String)
    /// Plain HTTP, for running behind a TLS-terminating proxy on the same host. Cookies stay
    /// `Secure`, so a browser only sends them over HTTPS (or to `localhost`).
    case disabled
}

/// How many failed logins are allowed before further attempts are refused for a while.
public struct ViewerLoginLimit: Hashable, Sendable {
    /// Failed attempts allowed per user name within ``window``.
    public var perUser: Int
    /// Failed attempts allowed per client address within ``window``.
    public var perAddress: Int
    /// The window over which failures are counted; a refused client may try again when it ends.
    public var window: Duration

    /// Creates a limit (default: 5 failures per user, 20 per address, in 15 minutes).
    public init(perUser: Int = 5, perAddress: Int = 20, window: Duration = .seconds(15 * 60)) {
        self.perUser = perUser
        self.perAddress = perAddress
        self.window = window
    }
}

/// Everything the viewer needs to start, with secure defaults.
public struct ViewerConfiguration: Sendable {
    /// The address to listen on (default `127.0.0.1`: loopback only).
    public var host: String
    /// The port to listen on (default 8443; 0 picks a free one).
    public var port: Int
    /// HTTPS set-up (default: a generated self-signed certificate in ``stateDirectory``).
    public var tls: ViewerTLS
    /// Where the viewer keeps its generated certificate (created with mode 0700 when missing).
    public var stateDirectory: String
    /// The users file (see ``ViewerUsers``); default `users.json` in ``stateDirectory``.
    public var usersFile: String
    /// The access log, one JSON object per line; default `access.log` in ``stateDirectory``.
    public var accessLog: String
    /// How long a login lasts (default 8 hours).
    public var sessionLifetime: Duration
    /// How long a clip key is kept in memory after the key provider gave it (default 60 s).
    public var keyCacheLifetime: Duration
    /// The login rate limit.
    public var loginLimit: ViewerLoginLimit
    /// The page title and heading.
    public var title: String

    /// A configuration keeping its state (certificate, users, access log) in `stateDirectory`.
    public init(
        stateDirectory: String,
        host: String = "127.0.0.1",
        port: Int = 8443,
        tls: ViewerTLS? = nil,
        usersFile: String? = nil,
        accessLog: String? = nil,
        sessionLifetime: Duration = .seconds(8 * 3600),
        keyCacheLifetime: Duration = .seconds(60),
        loginLimit: ViewerLoginLimit = ViewerLoginLimit(),
        title: String = "Sealed clips"
    ) {
        let directory = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        self.stateDirectory = directory
        self.host = host
        self.port = port
        self.tls = tls ?? .generated(directory: directory)
        self.usersFile = usersFile ?? directory + "/users.json"
        self.accessLog = accessLog ?? directory + "/access.log"
        self.sessionLifetime = sessionLifetime
        self.keyCacheLifetime = keyCacheLifetime
        self.loginLimit = loginLimit
        self.title = title
    }

    /// Checks the values that can be wrong before anything starts.
    func validate() throws {
        guard (0...65535).contains(port) else { throw ViewerError.configuration("port \(port) is outside 0...65535") }
        guard !host.isEmpty else { throw ViewerError.configuration("the listen address is empty") }
        guard sessionLifetime > .zero else { throw ViewerError.configuration("the session lifetime must be positive") }
        guard keyCacheLifetime >= .zero else { throw ViewerError.configuration("the key cache lifetime cannot be negative") }
        guard loginLimit.perUser > 0, loginLimit.perAddress > 0, loginLimit.window > .zero else {
            throw ViewerError.configuration("the login limit needs positive counts and window")
        }
    }
}

/// Where the viewer is listening, once it is.
public struct ViewerEndpoint: Hashable, Sendable {
    /// The URL to open (`https://127.0.0.1:8443/`).
    public var url: String
    /// The port actually bound (useful with port 0).
    public var port: Int
    /// The PEM certificate chain the viewer presents (nil without TLS): what a client should trust.
    public var certificateChainFile: String?
}

/// Why the viewer cannot start or run.
public enum ViewerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A configuration value is wrong.
    case configuration(String)
    /// The certificate or key cannot be read or made.
    case certificate(String)
    /// The access log cannot be opened.
    case accessLog(String)

    public var description: String {
        switch self {
        case .configuration(let reason): "viewer configuration: \(reason)"
        case .certificate(let reason): "viewer certificate: \(reason)"
        case .accessLog(let reason): "viewer access log: \(reason)"
        }
    }
}
