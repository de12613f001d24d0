using System.Globalization;
using System.Runtime.InteropServices;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox;

/// <summary>
/// <c>MailOAuth.Sandbox [--port N] [--state-dir DIR] [--replication-lag-seconds N] [--dns-port N] [--exit-on-stdin-close]</c>: starts the
/// sandbox, prints one JSON line on stdout (docs/sandbox.md), runs until SIGINT/SIGTERM (or,
/// with <c>--exit-on-stdin-close</c>, until stdin reaches end of file).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!TryParse(args, out var options, out var exitOnStdinClose, out var problem))
        {
            await Console.Error.WriteLineAsync(problem);
            await Console.Error.WriteLineAsync("usage: MailOAuth.Sandbox [--port N] [--state-dir DIR] [--replication-lag-seconds N] [--dns-port N] [--exit-on-stdin-close]");
            return problem is null ? 0 : 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);

        await using var host = await SandboxHost.StartAsync(options);
        await Console.Out.WriteLineAsync(host.InfoJson);
        await Console.Out.FlushAsync();

        if (exitOnStdinClose)
        {
            WatchStdin(() => stop.TrySetResult());
        }

        await stop.Task;
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we shut down ourselves, cleanly
            stop.TrySetResult();
        }
    }

    /// <summary>Reads stdin to end of file on a background thread, then calls <paramref name="onClosed"/>.</summary>
    private static void WatchStdin(Action onClosed)
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
            finally
            {
                onClosed();
            }
        })
        {
            IsBackground = true,
            Name = "stdin watcher",
        };
        thread.Start();
    }

    private static bool TryParse(string[] args, out SandboxOptions options, out bool exitOnStdinClose, out string? problem)
    {
        options = new SandboxOptions();
        exitOnStdinClose = false;
        problem = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            string? Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                return i + 1 < args.Length ? args[++i] : null;
            }

            switch (arg)
            {
                case "--port":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    {
                        problem = "--port needs a number from 0 to 65535.";
                        return false;
                    }

                    options.Port = port;
                    break;
                case "--state-dir":
                    options.StateDirectory = Value();
                    if (string.IsNullOrEmpty(options.StateDirectory))
                    {
                        problem = "--state-dir needs a directory.";
                        return false;
                    }

                    break;
                case "--dns-port":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var dnsPort) || dnsPort > 65535)
                    {
                        problem = "--dns-port needs a number from 0 to 65535.";
                        return false;
                    }

                    options.DnsPort = dnsPort;
                    break;
                case "--exit-on-stdin-close":
                    exitOnStdinClose = true;
                    break;
                case "--replication-lag-seconds":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var lag) || lag > 86400)
                    {
                        problem = "--replication-lag-seconds needs a number of seconds from 0 to 86400.";
                        return false;
                    }

                    options.ReplicationLagSeconds = lag;
                    break;
                case "--help" or "-h" or "-?":
                    return false;
                default:
                    problem = $"Unknown argument '{args[i]}'.";
                    return false;
            }
        }

        return true;
    }
}
