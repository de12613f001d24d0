namespace MailOAuth.Sandbox.Tenancy;

/// <summary>What <see cref="DirectoryStore.AddApplicationIfUniqueNameFree"/> did.</summary>
public enum ApplicationAddOutcome
{
    Created,

    /// <summary>A live application has that uniqueName (the upsert then updates it).</summary>
    UniqueNameTaken,

    /// <summary>A soft-deleted application (deleted items) still holds that uniqueName.</summary>
    UniqueNameHeldByDeletedApplication,
}

/// <summary>What <see cref="DirectoryStore.RestoreApplication"/> did.</summary>
public enum RestoreOutcome
{
    Restored,
    NotFound,

    /// <summary>A live object took its appId or uniqueName meanwhile (cannot happen through Graph: both stay reserved).</summary>
    Conflict,
}

/// <summary>Applications, their password credentials, and deleted items (soft-deleted applications).</summary>
public sealed partial class DirectoryStore
{
    /// <summary>How long a deleted application stays in deleted items before Entra purges it.</summary>
    public static readonly TimeSpan DeletedItemsRetention = TimeSpan.FromDays(30);

    // ---- applications and their credentials ----

    public void AddApplication(DirectoryApplication application)
    {
        lock (_gate)
        {
            if (_state.Applications.Values.Any(a => a.AppId == application.AppId))
            {
                throw new InvalidOperationException($"An application with appId {application.AppId} already exists.");
            }

            _state.Applications.Add(application.ObjectId, application);
        }
    }

    /// <summary>
    /// Adds <paramref name="application"/> unless its uniqueName is in use: by a live application
    /// (returned, <see cref="ApplicationAddOutcome.UniqueNameTaken"/>) or by one in deleted items,
    /// which keeps its alternate key reserved until restored, purged or 30 days old. The atomic
    /// half of the upsert (PATCH … Prefer: create-if-missing). The application's createdDateTime
    /// is "now" for the retention check.
    /// </summary>
    public (DirectoryApplication? Existing, ApplicationAddOutcome Outcome) AddApplicationIfUniqueNameFree(DirectoryApplication application)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(application.CreatedDateTime);
            if (application.UniqueName is { } uniqueName)
            {
                if (FindByUniqueName(uniqueName) is { } existing)
                {
                    return (existing, ApplicationAddOutcome.UniqueNameTaken);
                }

                if (_state.DeletedApplications.Values.FirstOrDefault(a => SameUniqueName(a.UniqueName, uniqueName)) is { } deleted)
                {
                    return (deleted, ApplicationAddOutcome.UniqueNameHeldByDeletedApplication);
                }
            }

            _state.Applications.Add(application.ObjectId, application);
            return (application, ApplicationAddOutcome.Created);
        }
    }

    public DirectoryApplication? FindApplicationByAppId(Guid appId)
    {
        lock (_gate)
        {
            return _state.Applications.Values.FirstOrDefault(a => a.AppId == appId);
        }
    }

    /// <summary>uniqueName is an alternate key: unique, compared case-insensitively (INFERRED).</summary>
    public DirectoryApplication? FindApplicationByUniqueName(string uniqueName)
    {
        lock (_gate)
        {
            return FindByUniqueName(uniqueName);
        }
    }

    public DirectoryApplication? GetApplication(Guid objectId)
    {
        lock (_gate)
        {
            return _state.Applications.GetValueOrDefault(objectId);
        }
    }

    public IReadOnlyList<DirectoryApplication> ListApplications()
    {
        lock (_gate)
        {
            return [.. _state.Applications.Values];
        }
    }

    /// <summary>Applies <paramref name="change"/> atomically; null when the application is gone.</summary>
    public DirectoryApplication? UpdateApplication(Guid objectId, Func<DirectoryApplication, DirectoryApplication> change)
    {
        lock (_gate)
        {
            if (!_state.Applications.TryGetValue(objectId, out var application))
            {
                return null;
            }

            var updated = change(application);
            _state.Applications[objectId] = updated;
            return updated;
        }
    }

    /// <summary>
    /// Deletes the application as Entra does: a soft delete into deleted items (deletedDateTime =
    /// <paramref name="now"/>; its appId and uniqueName stay reserved), while its service principal
    /// and every app role assignment that service principal holds or grants are removed for good
    /// (a restore does not bring them back).
    /// </summary>
    public bool DeleteApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            if (!_state.Applications.Remove(objectId, out var application))
            {
                return false;
            }

            _state.DeletedApplications[objectId] = application with { DeletedDateTime = now };
            foreach (var servicePrincipal in _state.ServicePrincipals.Values.Where(s => s.AppId == application.AppId).ToList())
            {
                RemoveServicePrincipalLocked(servicePrincipal.Id);
            }

            return true;
        }
    }

    // ---- deleted items (soft-deleted applications) ----

    /// <summary>The applications in deleted items, oldest deletion first (older than 30 days: purged).</summary>
    public IReadOnlyList<DirectoryApplication> ListDeletedApplications(DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            return [.. _state.DeletedApplications.Values.OrderBy(a => a.DeletedDateTime).ThenBy(a => a.ObjectId)];
        }
    }

    public DirectoryApplication? GetDeletedApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            return _state.DeletedApplications.GetValueOrDefault(objectId);
        }
    }

    /// <summary>
    /// Brings a deleted application back with everything it had (appId, uniqueName, tags,
    /// credentials, owners), deletedDateTime null. Its service principal stays deleted.
    /// </summary>
    public (DirectoryApplication? Application, RestoreOutcome Outcome) RestoreApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            if (!_state.DeletedApplications.TryGetValue(objectId, out var deleted))
            {
                return (null, RestoreOutcome.NotFound);
            }

            if (_state.Applications.Values.Any(a => a.AppId == deleted.AppId)
                || (deleted.UniqueName is { } uniqueName && FindByUniqueName(uniqueName) is not null))
            {
                return (null, RestoreOutcome.Conflict);
            }

            _state.DeletedApplications.Remove(objectId);
            var restored = deleted with { DeletedDateTime = null };
            _state.Applications.Add(objectId, restored);
            return (restored, RestoreOutcome.Restored);
        }
    }

    /// <summary>Permanently deletes an application from deleted items (frees its uniqueName).</summary>
    public bool PurgeDeletedApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            return _state.DeletedApplications.Remove(objectId);
        }
    }

    /// <summary>
    /// Adds a password credential and returns it with its secret text (shown once, as
    /// addPassword does, docs/service-behaviour.md#add-password). The default lifetime is two years.
    /// </summary>
    public (PasswordCredential Credential, string SecretText)? AddPassword(
        Guid applicationObjectId,
        string? displayName,
        DateTimeOffset startDateTime,
        DateTimeOffset? endDateTime = null,
        string? secretText = null,
        Guid? keyId = null,
        DateTimeOffset? createdDateTime = null)
    {
        secretText ??= SecretGenerator.NewSecretText();
        var credential = PasswordCredential.Create(
            keyId ?? Guid.NewGuid(), displayName, secretText, startDateTime, endDateTime ?? startDateTime.AddYears(2)) with
        {
            CreatedDateTime = createdDateTime ?? startDateTime,
        };
        lock (_gate)
        {
            if (!_state.Applications.TryGetValue(applicationObjectId, out var app))
            {
                return null;
            }

            _state.Applications[applicationObjectId] = app with { PasswordCredentials = app.PasswordCredentials.Add(credential) };
        }

        return (credential, secretText);
    }

    /// <summary>
    /// Removes a password credential as of <paramref name="now"/>: gone from Graph at once, kept aside (with its removal
    /// time) so the token endpoint can go on accepting it while the removal replicates (docs/service-behaviour.md#remove-password-replication).
    /// </summary>
    public bool RemovePassword(Guid applicationObjectId, Guid keyId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_state.Applications.TryGetValue(applicationObjectId, out var app))
            {
                return false;
            }

            var removed = app.PasswordCredentials.Where(c => c.KeyId == keyId).Select(c => c with { RemovedDateTime = now }).ToList();
            if (removed.Count == 0)
            {
                return false;
            }

            _state.Applications[applicationObjectId] = app with
            {
                PasswordCredentials = app.PasswordCredentials.RemoveAll(c => c.KeyId == keyId),
                RemovedPasswordCredentials = app.RemovedPasswordCredentials.AddRange(removed),
            };
            return true;
        }
    }

    private DirectoryApplication? FindByUniqueName(string uniqueName) =>
        _state.Applications.Values.FirstOrDefault(a => SameUniqueName(a.UniqueName, uniqueName));

    private static bool SameUniqueName(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Entra purges deleted items after 30 days.</summary>
    private void PurgeExpiredLocked(DateTimeOffset now)
    {
        foreach (var expired in _state.DeletedApplications.Values.Where(a => a.DeletedDateTime + DeletedItemsRetention <= now).ToList())
        {
            _state.DeletedApplications.Remove(expired.ObjectId);
        }
    }
}
