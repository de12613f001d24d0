using System.Collections.Immutable;

namespace MailOAuth.Sandbox.Entra;

/// <summary>A device code issued by <c>/oauth2/v2.0/devicecode</c>; approved at once for the seeded admin.</summary>
public sealed record DeviceAuthorization(string DeviceCode, string UserCode, Guid ClientAppId, string Scope, Guid UserId, DateTimeOffset ExpiresAt);

/// <summary>What a refresh token stands for.</summary>
public sealed record RefreshGrant(Guid ClientAppId, Guid UserId);

/// <summary>How redeeming a device code went.</summary>
public enum DeviceCodeRedemption
{
    Approved,
    Unknown,
    Expired,
}

/// <summary>Device codes and refresh tokens of the delegated flow. Thread-safe.</summary>
public sealed class DelegatedSessions
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DeviceAuthorization> _deviceCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);

    public void AddDeviceCode(DeviceAuthorization authorization)
    {
        lock (_gate)
        {
            _deviceCodes[authorization.DeviceCode] = authorization;
        }
    }

    /// <summary>
    /// Redeems a device code once: the first poll by the same client gets the approval (the
    /// sandbox's user "signs in" at once), a second poll or another client's gets Unknown.
    /// </summary>
    public (DeviceCodeRedemption Outcome, DeviceAuthorization? Authorization) Redeem(string deviceCode, Guid clientAppId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_deviceCodes.TryGetValue(deviceCode, out var authorization) || authorization.ClientAppId != clientAppId)
            {
                return (DeviceCodeRedemption.Unknown, null);
            }

            if (now >= authorization.ExpiresAt)
            {
                return (DeviceCodeRedemption.Expired, null);
            }

            _deviceCodes.Remove(deviceCode);
            return (DeviceCodeRedemption.Approved, authorization);
        }
    }

    public void AddRefreshToken(string refreshToken, RefreshGrant grant)
    {
        lock (_gate)
        {
            _refreshTokens[refreshToken] = grant;
        }
    }

    public RefreshGrant? FindRefreshToken(string refreshToken)
    {
        lock (_gate)
        {
            return _refreshTokens.GetValueOrDefault(refreshToken);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _deviceCodes.Clear();
            _refreshTokens.Clear();
        }
    }
}
