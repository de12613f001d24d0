namespace MailOAuth.Sandbox.Hosting;

/// <summary>How to start a sandbox.</summary>
public sealed class SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Where <c>sandbox.cer</c> is written. Null: a new folder under the temp directory, deleted
    /// again when the host is disposed.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>The clock for tokens, secrets and timestamps. Null: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
