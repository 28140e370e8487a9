// swift-kmip: the `kmip` command line tool.

import ArgumentParser
import Foundation
import KMIP

extension Bench {
    /// `kmip bench client`: round trips on one kept-open connection, with the client's CPU time.
    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time round trips against a server on one kept-open connection.",
            discussion: """
                Get (the object ID), Create (AES-256 keys, durable on servers that sync), a mix \
                (Create, Get, Get Attributes, Locate by name, Activate, Revoke, Destroy), or a steady \
                mix over a fixed set of --objects keys made at the start (Get, Get Attributes, Locate by \
                name, Add Attribute, Delete Attribute, Check: the store does not grow), each request \
                alone or --batch N in one message. Runs --count requests, or for --seconds. Prints \
                `operations: N`, `seconds: S` (wall clock), `cpu-seconds: C` (this process's user and \
                system time during the loop) and `errors: E`, after a short warm-up. Build with \
                `-c release`.
                """)

        enum Workload: String, ExpressibleByArgument, CaseIterable {
            case get, create, mixed, steady
        }

        @Argument(help: "The Unique Identifier of the object to get (get workload).")
        var id: String?
        @Option(help: "Number of requests (ignored with --seconds).")
        var count = 500
        @Option(help: "Run for this many seconds instead of --count requests.")
        var seconds: Double?
        @Option(help: "Operations per request message (Gets only).")
        var batch = 1
        @Option(help: "What to do: get, create, mixed or steady.")
        var workload = Workload.get
        @Option(help: "Keys made at the start and used by the steady workload.")
        var objects = 25
        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            if workload == .get && id == nil { throw ValidationError("the get workload needs the ID of an object") }
            guard batch >= 1, batch <= 1000 else { throw ValidationError("--batch must be 1 to 1000") }
            if batch > 1 && workload != .get { throw ValidationError("--batch applies to the get workload") }
            guard (1...10_000).contains(objects) else { throw ValidationError("--objects must be 1 to 10000") }
        }

        func run() async throws {
            try await withClient(connection) { client in
                let id = self.id.map { UniqueIdentifier.text($0) }
                var errors = 0
                var sequence = 0
                var fixed: [(UniqueIdentifier, String)] = []
                if workload == .steady {
                    for index in 0..<objects {
                        let name = "steady-\(ProcessInfo.processInfo.processIdentifier)-\(index)"
                        fixed.append((try await client.createSymmetricKey(algorithm: .aes, length: 256, name: name), name))
                    }
                }
                func once() async {
                    do {
                        switch workload {
                        case .get:
                            if batch == 1 {
                                _ = try await client.get(id!)
                            } else {
                                var message = KMIPBatch()
                                for _ in 0..<batch { message.add(GetRequest(uniqueIdentifier: id!)) }
                                for result in try await client.perform(message) { if case .failure = result { errors += 1 } }
                            }
                        case .create:
                            _ = try await client.createSymmetricKey(algorithm: .aes, length: 256)
                        case .mixed:
                            sequence += 1
                            let name = "bench-\(ProcessInfo.processInfo.processIdentifier)-\(sequence)"
                            let key = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: name)
                            _ = try await client.get(key)
                            _ = try await client.getAttributes(key, [.state])
                            var filter = Attributes()
                            filter.names = [Name(nameValue: name, nameType: .uninterpretedTextString)]
                            guard try await client.locate(filter) == [key] else { errors += 1; return }
                            try await client.activate(key)
                            try await client.revoke(key, reason: .cessationOfOperation)
                            try await client.destroy(key)
                        case .steady:
                            sequence += 1
                            let (key, name) = fixed[sequence % fixed.count]
                            _ = try await client.get(key)
                            _ = try await client.getAttributes(key, [.state])
                            var filter = Attributes()
                            filter.names = [Name(nameValue: name, nameType: .uninterpretedTextString)]
                            guard try await client.locate(filter) == [key] else { errors += 1; return }
                            let mark = try Attribute(name: "x-bench", "\(sequence)")
                            _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: key, attribute: mark))
                            _ = try await client.perform(DeleteAttributeRequest(uniqueIdentifier: key, attributeName: "x-bench"))
                            _ = try await client.perform(CheckRequest(uniqueIdentifier: key, cryptographicUsageMask: [.encrypt]))
                        }
                    } catch {
                        errors += 1
                        FileHandle.standardError.write(Data("kmip bench client: \(error)\n".utf8))
                    }
                }
                for _ in 0..<(workload == .get ? 20 : 3) { await once() }
                errors = 0
                let cpuStart = Self.cpuSeconds()
                let start = ContinuousClock.now
                var done = 0
                if let seconds {
                    let end = start + .milliseconds(Int64(seconds * 1000))
                    while ContinuousClock.now < end {
                        await once()
                        done += 1
                    }
                } else {
                    for _ in 0..<count { await once() }
                    done = count
                }
                let elapsed = ContinuousClock.now - start
                let cpu = Self.cpuSeconds() - cpuStart
                let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let perRequest = workload == .mixed ? 7 : workload == .steady ? 6 : batch
                print("requests: \(done)")
                print("operations: \(done * perRequest)")
                print("gets: \(done * perRequest)")
                print("seconds: \(String(format: "%.4f", wall))")
                print("cpu-seconds: \(String(format: "%.4f", cpu))")
                print("errors: \(errors)")
            }
        }

        static func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
    }
}
