// swift-kmip: ClipTools
//
// The command line options the camera and viewer programs share: how to reach the key manager.

import ArgumentParser
import Foundation
import KMIP
import Logging

/// How to reach the KMIP server: TTLV over mutual TLS, or the HTTPS profile.
///
/// Every option can also come from the environment (`KMIP_SERVER`, `KMIP_HTTPS`, `KMIP_ENCODING`,
/// `KMIP_CA`, `KMIP_CERT`, `KMIP_KEY`, `KMIP_VERSION`); the private key's passphrase comes only
/// from `KMIP_KEY_PASSPHRASE`, never from the command line.
public struct KMIPArguments: ParsableArguments {
    @Option(name: .customLong("kmip-server"), help: "The KMIP server, HOST[:PORT] (TTLV over mutual TLS; port 5696 by default; env KMIP_SERVER).")
    public var server: String?

    @Option(name: .customLong("kmip-https"), help: "Use the KMIP HTTPS profile at this URL instead (https://HOST:PORT/kmip; env KMIP_HTTPS).")
    public var https: String?

    @Option(name: .customLong("kmip-encoding"), help: "HTTPS body encoding: xml (as the original system used), ttlv or json (env KMIP_ENCODING; default xml).")
    public var encoding: String?

    @Option(name: .customLong("kmip-ca"), help: "PEM file of the CA that issued the KMIP server's certificate (env KMIP_CA; default: the system's trust store).")
    public var ca: String?

    @Option(name: .customLong("kmip-cert"), help: "PEM file of this program's client certificate (env KMIP_CERT).")
    public var cert: String?

    @Option(name: .customLong("kmip-key"), help: "PEM file of its private key (env KMIP_KEY; passphrase in env KMIP_KEY_PASSPHRASE).")
    public var key: String?

    @Option(name: .customLong("kmip-version"), help: "Use this KMIP version instead of negotiating (1.0 ... 2.1; env KMIP_VERSION).")
    public var version: String?

    @Option(name: .customLong("kmip-timeout"), help: "Seconds to wait for the KMIP server's connection and each response.")
    public var timeout: Double = 30

    public init() {}

    public func validate() throws {
        if server != nil && https != nil { throw ValidationError("--kmip-server and --kmip-https exclude each other") }
        if let encoding, KMIPClientConfiguration.HTTPSEncoding(rawValue: encoding) == nil {
            throw ValidationError("--kmip-encoding must be xml, ttlv or json, not '\(encoding)'")
        }
        if let version, KMIPVersion(version) == nil { throw ValidationError("--kmip-version must be such as 1.4 or 2.0, not '\(version)'") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--kmip-timeout must be between 0 and 3600 seconds") }
    }

    /// Where the key manager is, for log lines.
    public var location: String {
        let environment = ProcessInfo.processInfo.environment
        return https ?? environment["KMIP_HTTPS"] ?? server ?? environment["KMIP_SERVER"] ?? "(no KMIP server given)"
    }

    /// A client made from the options.
    public func makeClient(logLabel: String) throws -> KMIPClient {
        let environment = ProcessInfo.processInfo.environment
        func setting(_ value: String?, _ name: String) -> String? { value ?? environment[name] }
        let endpoint: KMIPClientConfiguration.Endpoint
        var transport = KMIPClientConfiguration.Transport.ttlv
        if let url = setting(https, "KMIP_HTTPS") {
            guard url.lowercased().hasPrefix("https://") else { throw ValidationError("--kmip-https must be https://HOST:PORT[/PATH], not '\(url)'") }
            let rest = url.dropFirst("https://".count)
            let authority = rest.prefix { $0 != "/" }
            let path = rest.dropFirst(authority.count)
            guard let parsed = KMIPClientConfiguration.Endpoint(String(authority)) else {
                throw ValidationError("--kmip-https must be https://HOST:PORT[/PATH], not '\(url)'")
            }
            let encodingText = setting(encoding, "KMIP_ENCODING") ?? "xml"
            guard let bodyEncoding = KMIPClientConfiguration.HTTPSEncoding(rawValue: encodingText) else {
                throw ValidationError("the KMIP encoding must be xml, ttlv or json, not '\(encodingText)'")
            }
            endpoint = parsed
            transport = .https(path: path.isEmpty ? "/kmip" : String(path), encoding: bodyEncoding)
        } else {
            guard let text = setting(server, "KMIP_SERVER") else {
                throw ValidationError("no KMIP server: give --kmip-server HOST[:PORT] or --kmip-https URL (or KMIP_SERVER / KMIP_HTTPS)")
            }
            guard let parsed = KMIPClientConfiguration.Endpoint(text) else {
                throw ValidationError("--kmip-server must be HOST or HOST:PORT, not '\(text)'")
            }
            endpoint = parsed
        }
        let identity: KMIPTLSConfiguration.Identity
        if let cert = setting(cert, "KMIP_CERT"), let key = setting(key, "KMIP_KEY") {
            identity = .pemFiles(certificateChain: cert, privateKey: key, passphrase: environment["KMIP_KEY_PASSPHRASE"])
        } else {
            identity = .none
        }
        let trust: KMIPTLSConfiguration.TrustRoots = setting(ca, "KMIP_CA").map { .pemFile($0) } ?? .system
        var configuration = KMIPClientConfiguration(endpoints: [endpoint], tls: KMIPTLSConfiguration(identity: identity, trustRoots: trust))
        configuration.transport = transport
        if let text = setting(version, "KMIP_VERSION") {
            guard let fixed = KMIPVersion(text) else { throw ValidationError("the KMIP version must be such as 1.4, not '\(text)'") }
            configuration.versionPolicy = .fixed(fixed)
        }
        configuration.connectTimeout = .milliseconds(Int64(timeout * 1000))
        configuration.requestTimeout = .milliseconds(Int64(timeout * 1000))
        var logger = Logger(label: logLabel)
        logger.logLevel = .error
        configuration.logger = logger
        return try KMIPClient(configuration: configuration)
    }
}
