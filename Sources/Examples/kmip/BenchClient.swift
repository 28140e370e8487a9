// swift-kmip: the `kmip` command line tool.

import ArgumentParser
import Foundation
import KMIP

extension Bench {
    /// `kmip bench client`: Get round trips on one kept-open connection, with the client's CPU time.
    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time Get round trips against a server on one kept-open connection.",
            discussion: """
                Prints `gets: N`, `seconds: S` (wall clock) and `cpu-seconds: C` (this process's user \\
                and system time during the loop), after 20 warm-up Gets. Build with `-c release`.
                """)

        @Argument(help: "The Unique Identifier of the object to get.")
        var id: String
        @Option(help: "Number of Gets.")
        var count = 500
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await withClient(connection) { client in
                for _ in 0..<20 { _ = try await client.get(.text(id)) }
                let cpuStart = Self.cpuSeconds()
                let start = ContinuousClock.now
                for _ in 0..<count { _ = try await client.get(.text(id)) }
                let elapsed = ContinuousClock.now - start
                let cpu = Self.cpuSeconds() - cpuStart
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print("gets: \(count)")
                print("seconds: \(String(format: "%.4f", seconds))")
                print("cpu-seconds: \(String(format: "%.4f", cpu))")
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
