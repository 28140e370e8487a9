// swift-kmip: the `kmip` command line tool.
//
// Connection options shared by the commands that talk to a server, and how their outcomes map
// to exit statuses.

import ArgumentParser
import Foundation
import KMIP
import Logging

/// `--server HOST:PORT --ca FILE --cert FILE --key FILE [--kmip-version V]`, also from the
/// environment (`KMIP_SERVER`, `KMIP_CA`, `KMIP_CERT`, `KMIP_KEY`, `KMIP_KEY_PASSPHRASE`,
/// `KMIP_VERSION`) or a config file (`--config FILE`, `KMIP_CONFIG`, else
/// `~/.config/kmip/config`, lines `server = HOST:PORT`, `ca = FILE`, `cert = FILE`, `key = FILE`,
/// `kmip-version = 1.4`). The command line wins over the environment, the environment over the file.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The KMIP server, HOST[:PORT] (port 5696 when omitted; env KMIP_SERVER).")
    var server: String?

    @Option(help: "Use the HTTPS profile at this URL instead of TTLV (https://HOST[:PORT][/PATH], path /kmip by default; env KMIP_HTTPS).")
    var https: String?

    @Option(help: "The HTTPS body encoding: ttlv, xml or json (env KMIP_ENCODING; default ttlv).")
    var encoding: String?

    @Option(help: "PEM file of the CA that issued the server's certificate (env KMIP_CA; default: the system's trust store).")
    var ca: String?

    @Option(help: "PEM file of the client certificate chain (env KMIP_CERT).")
    var cert: String?

    @Option(help: "PEM file of the client private key (env KMIP_KEY; passphrase in env KMIP_KEY_PASSPHRASE).")
    var key: String?

    @Option(name: .customLong("pkcs12"), help: "PKCS#12 file with the client certificate and key instead of --cert/--key (passphrase in env KMIP_PKCS12_PASSPHRASE).")
    var pkcs12: String?

    @Option(name: .customLong("pin"), help: "Accept only a server whose public key is that of this PEM certificate (repeatable).")
    var pinnedCertificates: [String] = []

    @Option(help: "Send a Username and Password credential with this username (env KMIP_USERNAME); the password is read from env KMIP_PASSWORD only.")
    var username: String?

    @Option(name: .customLong("kmip-version"), help: "Use this protocol version instead of negotiating (1.0 ... 2.1; env KMIP_VERSION).")
    var kmipVersion: String?

    @Option(help: "Seconds to wait for a connection and for each response.")
    var timeout: Double = 30

    @Option(help: "A config file of `name = value` lines (env KMIP_CONFIG; default ~/.config/kmip/config).")
    var config: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "Log each request and response (operations and results, never key material) to stderr.")
    var verbose = false

    func validate() throws {
        if let kmipVersion, KMIPVersion(kmipVersion) == nil {
            throw ValidationError("--kmip-version must be a version such as 1.4 or 2.0, not '\(kmipVersion)'")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        if server != nil && https != nil { throw ValidationError("--server and --https exclude each other") }
        if let encoding, KMIPClientConfiguration.HTTPSEncoding(rawValue: encoding) == nil {
            throw ValidationError("--encoding must be ttlv, xml or json, not '\(encoding)'")
        }
    }

    /// The setting `name` from the command line, the environment or the config file.
    func setting(_ flag: String?, environment name: String, file key: String, in fileSettings: [String: String]) -> String? {
        flag ?? ProcessInfo.processInfo.environment[name] ?? fileSettings[key]
    }

    func fileSettings() throws -> [String: String] {
        let explicit = config ?? ProcessInfo.processInfo.environment["KMIP_CONFIG"]
        let path = explicit ?? (NSHomeDirectory() + "/.config/kmip/config")
        guard FileManager.default.fileExists(atPath: path) else {
            if let explicit { throw ToolError("the config file \(explicit) does not exist") }
            return [:]
        }
        var settings: [String: String] = [:]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ToolError("\(path) line \(number + 1): expected `name = value`")
            }
            let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            guard ["server", "ca", "cert", "key", "pkcs12", "kmip-version"].contains(name) else {
                throw ToolError("\(path) line \(number + 1): unknown setting '\(name)' (known: server, ca, cert, key, pkcs12, kmip-version)")
            }
            settings[name] = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return settings
    }

    /// The endpoint and path of an https:// URL (port 5696 and path /kmip when omitted).
    static func parseHTTPS(_ url: String) -> (KMIPClientConfiguration.Endpoint, String)? {
        guard url.lowercased().hasPrefix("https://") else { return nil }
        let rest = url.dropFirst("https://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard !authority.isEmpty, let endpoint = KMIPClientConfiguration.Endpoint(String(authority)) else { return nil }
        return (endpoint, path.isEmpty ? "/kmip" : String(path))
    }

    /// A client made from the options.
    func makeClient() throws -> KMIPClient {
        let file = try fileSettings()
        let endpoint: KMIPClientConfiguration.Endpoint
        var transport = KMIPClientConfiguration.Transport.ttlv
        if let url = setting(https, environment: "KMIP_HTTPS", file: "https", in: file) {
            guard let (parsed, path) = Self.parseHTTPS(url) else {
                throw ValidationError("--https must be https://HOST[:PORT][/PATH], not '\(url)'")
            }
            let encodingText = setting(encoding, environment: "KMIP_ENCODING", file: "encoding", in: file) ?? "ttlv"
            guard let bodyEncoding = KMIPClientConfiguration.HTTPSEncoding(rawValue: encodingText) else {
                throw ValidationError("encoding must be ttlv, xml or json, not '\(encodingText)'")
            }
            endpoint = parsed
            transport = .https(path: path, encoding: bodyEncoding)
        } else {
            guard let serverText = setting(server, environment: "KMIP_SERVER", file: "server", in: file) else {
                throw ValidationError("no server: give --server HOST[:PORT] or --https URL (or KMIP_SERVER, or `server =` in the config file)")
            }
            guard let parsed = KMIPClientConfiguration.Endpoint(serverText) else {
                throw ValidationError("--server must be HOST or HOST:PORT, not '\(serverText)'")
            }
            endpoint = parsed
        }
        let environment = ProcessInfo.processInfo.environment
        let identity: KMIPTLSConfiguration.Identity
        if let pkcs12 = setting(pkcs12, environment: "KMIP_PKCS12", file: "pkcs12", in: file) {
            identity = .pkcs12File(pkcs12, passphrase: environment["KMIP_PKCS12_PASSPHRASE"] ?? "")
        } else if let cert = setting(cert, environment: "KMIP_CERT", file: "cert", in: file),
            let key = setting(key, environment: "KMIP_KEY", file: "key", in: file)
        {
            identity = .pemFiles(certificateChain: cert, privateKey: key, passphrase: environment["KMIP_KEY_PASSPHRASE"])
        } else {
            identity = .none
        }
        let trust: KMIPTLSConfiguration.TrustRoots = setting(ca, environment: "KMIP_CA", file: "ca", in: file).map { .pemFile($0) } ?? .system
        var tls = KMIPTLSConfiguration(identity: identity, trustRoots: trust)
        tls.pinnedCertificateFiles = pinnedCertificates
        var configuration = KMIPClientConfiguration(endpoints: [endpoint], tls: tls)
        configuration.transport = transport
        if let name = setting(username, environment: "KMIP_USERNAME", file: "username", in: file) {
            guard let password = environment["KMIP_PASSWORD"], !password.isEmpty else {
                throw ValidationError("--username needs the password in the environment variable KMIP_PASSWORD")
            }
            configuration.credential = .username(name, password: password)
        }
        if let versionText = setting(kmipVersion, environment: "KMIP_VERSION", file: "kmip-version", in: file) {
            guard let version = KMIPVersion(versionText) else { throw ValidationError("kmip-version must be such as 1.4, not '\(versionText)'") }
            configuration.versionPolicy = .fixed(version)
        }
        configuration.connectTimeout = .milliseconds(Int64(timeout * 1000))
        configuration.requestTimeout = .milliseconds(Int64(timeout * 1000))
        var logger = Logger(label: "kmip")
        logger.logLevel = verbose ? .debug : .error
        configuration.logger = logger
        return try KMIPClient(configuration: configuration)
    }
}

/// Runs a client command: maps failures to exit statuses (1: the server reported a failure,
/// 2: usage, 3: connection or TLS) with the reason on stderr.
func withClient(_ options: ConnectionOptions, _ body: (KMIPClient) async throws -> Void) async throws {
    let client: KMIPClient
    do {
        client = try options.makeClient()
    } catch let error as KMIPError {
        fail("\(error.reason)", status: 3)
    }
    do {
        try await body(client)
        await client.shutdown()
    } catch let error as KMIPOperationError {
        await client.shutdown()
        fail("the server reported a failure: \(error)", status: 1)
    } catch let error as KMIPError {
        await client.shutdown()
        switch error.code {
        case .connectionFailed, .tlsFailure, .connectionClosed, .responseLost, .clientShutDown, .unexpectedResponse:
            fail("\(error.reason)", status: 3)
        case .unsupportedInVersion, .missingField:
            fail("\(error)", status: 2)
        default:
            fail("\(error)", status: 1)
        }
    } catch {
        await client.shutdown()
        throw error
    }
}

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("kmip: \(message)\n".utf8))
    exit(status)
}

/// Prints `object` as JSON, or `lines` as text.
func emit(_ options: ConnectionOptions, json object: [String: Any], lines: [String]) {
    if options.json {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    } else {
        for line in lines { print(line) }
    }
}

func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes, lowercase: true) }

func parseHex(_ text: String, what: String) throws -> [UInt8] {
    do {
        return try Hex.decode(text, ignoring: [" ", "\n", "\t"])
    } catch {
        throw ValidationError("\(what) must be hex digits")
    }
}
