namespace MailOAuth.Sandbox.Hosting;

/// <summary>How to start a sandbox.</summary>
public sealed class SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Where <c>sandbox.cer</c>, <c>admin-client.pfx</c> and <c>admin-client.cer</c> are written.
    /// Null: a new folder under the temp directory, deleted again when the host is disposed.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>The clock for tokens, secrets, replication and timestamps. Null: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Replication lag at start (<c>--replication-lag-seconds</c>): how long a new directory object
    /// stays invisible to the eventually consistent readers. 0 = immediate.
    /// </summary>
    public int ReplicationLagSeconds { get; set; }

    /// <summary>UDP and TCP port of the DNS server on 127.0.0.1 (<c>--dns-port</c>); 0 (the default) picks a free one.</summary>
    public int DnsPort { get; set; }
}
