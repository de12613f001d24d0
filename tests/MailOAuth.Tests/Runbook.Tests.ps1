Describe 'The rotation runbook (examples/runbooks/Rotate-MailOAuthSecret.ps1)' -Tag 'Secrets' {
    # A rehearsal against the sandbox as Azure Automation runs it: the module imported by name, the managed
    # identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER), the platform token from an Automation credential
    # (Get-AutomationPSCredential, defined here as Automation defines it there) or from the sandbox's Key Vault.
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:runbook = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/runbooks/Rotate-MailOAuthSecret.ps1')).Path
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        function script:Requests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox) }
        function script:PlatformState { Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/platform' }
        function script:SecretsOf([string] $ClientId) { @(((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).applications | Where-Object appId -EQ $ClientId).passwordCredentials) }

        # Automation's module path, identity endpoint, Get-AutomationPSCredential and the sandbox-only Invoke-RestMethod (Common.ps1).
        $script:rehearsal = Enable-RunbookRehearsal -Sandbox $sandbox -CredentialName 'PlatformApi'
        $script:credentialsAsked = $rehearsal.CredentialsAsked
        $script:restCalls = $rehearsal.RestCalls
        $script:params = @{ TenantId = $info.tenantId; PlatformUri = $info.platform.uri; ApiTokenCredentialName = 'PlatformApi'; Environment = 'Sandbox' }
        # The platform token from the sandbox vault instead of a credential (seeded in the tests that use it).
        $script:vaultTokenParams = @{ TenantId = $info.tenantId; PlatformUri = $info.platform.uri; Environment = 'Sandbox'
            ApiTokenKeyVaultUri = $info.keyVault.uri; ApiTokenSecretName = 'PlatformApiToken' }

        # Runs the runbook; returns its summaries, its warnings and the error it ended with (the summaries written before it too).
        function script:Invoke-Runbook([hashtable] $Extra = @{}, [hashtable] $With = $params) {
            $summaries = [System.Collections.Generic.List[object]]::new()
            $warnings = [System.Collections.Generic.List[string]]::new()
            $thrown = $null
            try {
                & $runbook @With @Extra 3>&1 | ForEach-Object {
                    if ($_ -is [System.Management.Automation.WarningRecord]) { $warnings.Add($_.Message) } else { $summaries.Add($_) }
                }
            }
            catch { $thrown = $_ }
            [pscustomobject]@{ Summaries = $summaries.ToArray(); Warnings = $warnings.ToArray(); Error = $thrown }
        }
        function script:Set-VaultApiToken([string] $Vault = 'mailoauth') {
            Set-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Vault $Vault -Name 'PlatformApiToken' -Value (ConvertTo-TestSecret $info.platform.apiToken) | Out-Null
        }
        function script:KeyVaultState { Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/keyvault' }
        # A managed app with consent and a secret of the given lifetime; with -OnPlatform the platform uses it.
        function script:New-RotationApp([int] $Months, [switch] $OnPlatform) {
            Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
            $name = "Runbook $([guid]::NewGuid().ToString('N').Substring(0, 8))"
            $app = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed -SecretLifetimeMonths $Months | Grant-MailSendConsent -PassThru
            if ($OnPlatform) { $app | Set-ResellerSmtpSetting @platform | Out-Null }
            $app | Add-Member -NotePropertyName AppName -NotePropertyValue $name -PassThru
        }
    }
    AfterAll {
        Disable-RunbookRehearsal $rehearsal
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-MailOAuthSandboxDirectory -Sandbox $sandbox
        Reset-MailOAuthSandbox -Sandbox $sandbox
        Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/reset-platform' | Out-Null
        Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/keyvault' | Out-Null
        $credentialsAsked.Clear()
        $restCalls.Clear()
    }

    It 'rotates the expiring app the platform uses as the managed identity, skips the one it does not, leaves the fresh one alone and writes one summary each' {
        $expiring = New-RotationApp -Months 1 -OnPlatform
        $elsewhere = New-RotationApp -Months 1
        $fresh = New-RotationApp -Months 12
        Reset-MailOAuthSandbox -Sandbox $sandbox

        $run = Invoke-Runbook @{ ExpiringWithinDays = 45 }

        $run.Error | Should -BeNullOrEmpty
        $credentialsAsked | Should -Be @('PlatformApi')
        @(Requests | Where-Object kind -EQ 'msi').Count | Should -BeGreaterThan 0 -Because 'it signs in with the managed identity'
        @(Requests | Where-Object { $_.kind -eq 'directory' -and $_.clientId -eq $info.admin.clientId }).Count | Should -Be 0
        $run.Summaries.Count | Should -Be 2
        $run.Summaries.ClientId | Should -Not -Contain $fresh.ClientId

        $rotated = $run.Summaries | Where-Object ClientId -EQ $expiring.ClientId
        $rotated.Status | Should -Be 'Rotated'
        $rotated.AppDisplayName | Should -Be $expiring.AppName
        $rotated.OldKeyIds | Should -Be @($expiring.SecretKeyId)
        $rotated.NewKeyId | Should -Not -Be $expiring.SecretKeyId
        $rotated.NewSecretExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMonths(11))
        $rotated.PlatformUpdated | Should -BeTrue
        $rotated.ProvenBy | Should -Be @('Token', 'PlatformTest')
        $rotated.Error | Should -BeNullOrEmpty
        # The platform holds the new secret (by hint), the old secret is gone, and the platform still delivers.
        $left = SecretsOf $expiring.ClientId
        $left.keyId | Should -Be @($rotated.NewKeyId)
        (PlatformState).settings.clientSecretHint | Should -Be $left[0].hint
        (Send-ResellerTestEmail @platform -To 'admin@contoso.com').Delivered | Should -BeTrue

        $skipped = $run.Summaries | Where-Object ClientId -EQ $elsewhere.ClientId
        $skipped.Status | Should -Be 'Skipped'
        $skipped.Error | Should -Match ([regex]::Escape($expiring.ClientId))
        # Not silent: without -KeyVaultUri the new value would be kept nowhere, and a Warning says the secret expires.
        ($run.Warnings -join "`n") | Should -Match ([regex]::Escape("app $($elsewhere.ClientId)") + '.*no -KeyVaultUri.*expire within 45 days')
        (SecretsOf $elsewhere.ClientId).keyId | Should -Be @($elsewhere.SecretKeyId)
        (SecretsOf $fresh.ClientId).keyId | Should -Be @($fresh.SecretKeyId)

        # No summary carries a secret: no SecureString, and no value that is the platform token.
        foreach ($s in $run.Summaries) {
            @($s.PSObject.Properties.Value | Where-Object { $_ -is [securestring] }) | Should -BeNullOrEmpty
            ($s | Out-String) | Should -Not -Match ([regex]::Escape($info.platform.apiToken))
        }
    }

    It 'a failing rotation makes the runbook throw (failing the job) after it has written every summary' {
        $failing = New-RotationApp -Months 1 -OnPlatform
        $elsewhere = New-RotationApp -Months 1
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $failure = '{"delivered":false,"error":{"code":"SMTP_FAILED","message":"The relay refused the message."}}'
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings/test$'; method = 'POST'; status = 200; body = $failure; count = 1 } | Out-Null

        $run = Invoke-Runbook @{ ExpiringWithinDays = 45 }

        $run.Error | Should -Not -BeNullOrEmpty
        $run.Error.Exception.Message | Should -Match '^1 of 2 rotation\(s\) failed'
        $run.Summaries.Count | Should -Be 2
        $failed = $run.Summaries | Where-Object ClientId -EQ $failing.ClientId
        $failed.Status | Should -Be 'Failed'
        $failed.Error | Should -Match '^PlatformTestFailed,'
        $failed.Error | Should -Match 'The relay refused the message'
        ($run.Summaries | Where-Object ClientId -EQ $elsewhere.ClientId).Status | Should -Be 'Skipped'
        # Nothing was removed: the old secret stays beside the new one the platform now holds.
        (SecretsOf $failing.ClientId).keyId | Should -Contain $failing.SecretKeyId
        @(Requests | Where-Object path -Match '/removePassword$').Count | Should -Be 0
    }

    It 'nothing is due: no summary, no write, no error' {
        New-RotationApp -Months 12 -OnPlatform | Out-Null
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $run = Invoke-Runbook
        $run.Error | Should -BeNullOrEmpty
        $run.Summaries | Should -BeNullOrEmpty
        @(Requests | Where-Object { $_.method -in 'POST', 'PATCH', 'PUT', 'DELETE' -and $_.kind -in 'directory', 'platform' }).Count | Should -Be 0
    }

    Context 'Key Vault' {
        It 'reads the platform token from Key Vault with the managed identity''s own vault token (no credential, no Az) and rotates with it' {
            $expiring = New-RotationApp -Months 1 -OnPlatform
            Set-VaultApiToken
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $run = Invoke-Runbook @{ ExpiringWithinDays = 45 } -With $vaultTokenParams

            $run.Error | Should -BeNullOrEmpty
            $credentialsAsked | Should -BeNullOrEmpty -Because 'no Automation credential is read'
            $run.Summaries.Count | Should -Be 1
            $run.Summaries[0].Status | Should -Be 'Rotated'
            $run.Summaries[0].PlatformUpdated | Should -BeTrue
            $run.Summaries[0].KeyVaultStatus | Should -Be 'NotRequested'
            $run.Summaries[0].KeyVaultSecretId | Should -BeNullOrEmpty
            (PlatformState).settings.clientSecretHint | Should -Be (SecretsOf $expiring.ClientId)[0].hint
            # The identity endpoint for the vault's resource, then the vault, both before the platform is first asked.
            $restCalls.Count | Should -Be 2
            $restCalls[0] | Should -Match ('^GET ' + [regex]::Escape($info.managedIdentity.identityEndpoint) + '\?api-version=2019-08-01&resource=' + [regex]::Escape([uri]::EscapeDataString($info.keyVault.audience)) + '$')
            $restCalls[1] | Should -Be "GET $($info.keyVault.uri)/secrets/PlatformApiToken?api-version=7.4"
            $log = Requests
            $vaultRead = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'keyvault' -and $q.method -eq 'GET' })
            $log[$vaultRead].status | Should -Be 200
            $log[$vaultRead].vault | Should -Be 'mailoauth'
            $log[$vaultRead].clientId | Should -Be $info.managedIdentity.clientId -Because 'the vault is read as the managed identity'
            [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'platform' }) | Should -BeGreaterThan $vaultRead
        }

        It 'a vault that refuses to let the identity read the token stops before anything is written and names the role' {
            New-RotationApp -Months 1 -OnPlatform | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox
            $denied = @{} + $vaultTokenParams
            $denied.ApiTokenKeyVaultUri = $info.keyVault.deniedUri

            $run = Invoke-Runbook -With $denied

            $run.Summaries | Should -BeNullOrEmpty
            $run.Error.Exception.Message | Should -Match '\(403 Forbidden\).*Key Vault Secrets User'
            @(Requests | Where-Object { $_.kind -in 'directory', 'platform' }).Count | Should -Be 0
        }

        It 'stores each rotated secret in the vault (-KeyVaultUri, a per-app -KeyVaultSecretName) before the old one is removed, and the summary names the version' {
            $expiring = New-RotationApp -Months 1 -OnPlatform
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $run = Invoke-Runbook @{ ExpiringWithinDays = 45; KeyVaultUri = $info.keyVault.uri; KeyVaultSecretName = 'mail-{ClientId}' }

            $run.Error | Should -BeNullOrEmpty
            $run.Warnings | Should -BeNullOrEmpty
            $summary = $run.Summaries | Where-Object ClientId -EQ $expiring.ClientId
            $summary.Status | Should -Be 'Rotated'
            $summary.KeyVaultStatus | Should -Be 'Stored'
            $summary.KeyVaultError | Should -BeNullOrEmpty
            $stored = Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name "mail-$($expiring.ClientId)"
            "$($summary.KeyVaultSecretId)" | Should -Be $stored.id
            $stored.tags.ClientId | Should -Be $expiring.ClientId
            $stored.tags.KeyId | Should -Be $summary.NewKeyId
            # The vault holds the secret the platform holds and the app has left.
            $left = SecretsOf $expiring.ClientId
            $left.keyId | Should -Be @($summary.NewKeyId)
            $stored.value.Substring(0, 3) | Should -Be $left[0].hint
            (PlatformState).settings.clientSecretHint | Should -Be $left[0].hint
            $log = Requests
            $vaultWrite = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'keyvault' -and $q.method -eq 'PUT' -and $q.status -eq 200 })
            $log[$vaultWrite].clientId | Should -Be $info.managedIdentity.clientId
            [array]::FindIndex($log, [Predicate[object]] { param($q) $q.path -match '/removePassword$' }) | Should -BeGreaterThan $vaultWrite
            foreach ($s in $run.Summaries) { ($s | Out-String) | Should -Not -Match ([regex]::Escape($stored.value)) }
        }

        It 'a vault that denies the write: the rotation still counts (Rotated, KeyVaultStatus Failed), with a warning, and the job does not fail' {
            $expiring = New-RotationApp -Months 1 -OnPlatform
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/keyvault' -Body @{ denyWrites = $true } | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $run = Invoke-Runbook @{ ExpiringWithinDays = 45; KeyVaultUri = $info.keyVault.uri }

            $run.Error | Should -BeNullOrEmpty -Because 'the platform holds the proven new secret: a missing vault copy is no failed rotation'
            $summary = $run.Summaries | Where-Object ClientId -EQ $expiring.ClientId
            $summary.Status | Should -Be 'Rotated'
            $summary.PlatformUpdated | Should -BeTrue
            $summary.KeyVaultStatus | Should -Be 'Failed'
            $summary.KeyVaultError | Should -Be 'KeyVaultAccessDenied'
            $summary.KeyVaultSecretId | Should -BeNullOrEmpty
            $summary.Error | Should -BeNullOrEmpty
            ($run.Warnings -join "`n") | Should -Match ([regex]::Escape("App $($expiring.ClientId) was rotated") + '.*KeyVaultAccessDenied')
            (KeyVaultState).secrets | Should -BeNullOrEmpty
            (SecretsOf $expiring.ClientId).keyId | Should -Be @($summary.NewKeyId) -Because 'the rotation finished as without a vault'
        }
    }

    Context 'a due app the platform does not use' {
        It 'with -KeyVaultUri it is rotated into the vault only (RotatedWithoutPlatform, its old secret kept, a warning naming the vault secret), and not again on the next run' {
            $expiring = New-RotationApp -Months 1 -OnPlatform
            $elsewhere = New-RotationApp -Months 1
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $run = Invoke-Runbook @{ ExpiringWithinDays = 45; KeyVaultUri = $info.keyVault.uri; KeyVaultSecretName = 'mail-{ClientId}' }

            $run.Error | Should -BeNullOrEmpty
            ($run.Summaries | Where-Object ClientId -EQ $expiring.ClientId).Status | Should -Be 'Rotated'
            $summary = $run.Summaries | Where-Object ClientId -EQ $elsewhere.ClientId
            $summary.Status | Should -Be 'RotatedWithoutPlatform'
            $summary.PlatformUpdated | Should -BeFalse
            $summary.ProvenBy | Should -Be @('Token')
            $summary.KeyVaultStatus | Should -Be 'Stored'
            $summary.NewKeyId | Should -Not -Be $elsewhere.SecretKeyId
            $stored = Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name "mail-$($elsewhere.ClientId)"
            "$($summary.KeyVaultSecretId)" | Should -Be $stored.id
            $stored.tags.KeyId | Should -Be $summary.NewKeyId
            # The old secret is kept: whatever uses the app still signs in with it until the new value is stored there.
            @(SecretsOf $elsewhere.ClientId).keyId | Sort-Object | Should -Be (@($elsewhere.SecretKeyId, $summary.NewKeyId) | Sort-Object)
            $stored.value.Substring(0, 3) | Should -Be (@(SecretsOf $elsewhere.ClientId) | Where-Object keyId -EQ $summary.NewKeyId).hint
            # The platform was never given this app.
            (PlatformState).settings.clientId | Should -Be $expiring.ClientId
            ($run.Warnings -join "`n") | Should -Match ([regex]::Escape("app $($elsewhere.ClientId)") + '.*rotated without the platform.*' + [regex]::Escape("$($summary.KeyVaultSecretId)"))

            # The next run does not rotate it again while its newer secret is valid: it says so, louder than Skipped alone.
            Reset-MailOAuthSandbox -Sandbox $sandbox
            $again = Invoke-Runbook @{ ExpiringWithinDays = 45; KeyVaultUri = $info.keyVault.uri; KeyVaultSecretName = 'mail-{ClientId}' }
            $again.Error | Should -BeNullOrEmpty
            ($again.Summaries | Where-Object ClientId -EQ $elsewhere.ClientId).Status | Should -Be 'Skipped'
            ($again.Warnings -join "`n") | Should -Match ([regex]::Escape($summary.NewKeyId))
            @(SecretsOf $elsewhere.ClientId).Count | Should -Be 2
            @(Requests | Where-Object { $_.path -match 'addPassword$' }).Count | Should -Be 0
        }

        It 'a vault that denies the write: Failed, the new secret (its value kept nowhere) removed again, the old one kept, and the job fails' {
            $elsewhere = New-RotationApp -Months 1
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/keyvault' -Body @{ denyWrites = $true } | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $run = Invoke-Runbook @{ ExpiringWithinDays = 45; KeyVaultUri = $info.keyVault.uri }

            $run.Error | Should -Not -BeNullOrEmpty
            $run.Error.Exception.Message | Should -Match '^1 of 1 rotation\(s\) failed'
            $summary = $run.Summaries | Where-Object ClientId -EQ $elsewhere.ClientId
            $summary.Status | Should -Be 'Failed'
            $summary.KeyVaultStatus | Should -Be 'Failed'
            $summary.Error | Should -Match 'KeyVaultAccessDenied.*removed again'
            (SecretsOf $elsewhere.ClientId).keyId | Should -Be @($elsewhere.SecretKeyId)
        }
    }

    It 'is syntax-compatible with Windows PowerShell 5.1 (a parse check for 7-only syntax, not a 5.1 run)' {
        # Tokens and constructs Windows PowerShell 5.1 does not know: ?? ??= ?. ?[ && || and the ternary operator.
        function Find-Pwsh7Syntax([string] $Text) {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref] $tokens, [ref] $errors)
            $errors | Should -BeNullOrEmpty
            $kinds = 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr'
            @($tokens | Where-Object { $_.Kind.ToString() -in $kinds } | ForEach-Object { "$($_.Kind) at line $($_.Extent.StartLineNumber)" }) +
            @($ast.FindAll({ param($n) $n.GetType().Name -in 'TernaryExpressionAst', 'PipelineChainAst' }, $true) | ForEach-Object { "$($_.GetType().Name) at line $($_.Extent.StartLineNumber)" }) +
            @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandParameterAst] -and $n.ParameterName -eq 'ProgressAction' }, $true) | ForEach-Object { "-ProgressAction at line $($_.Extent.StartLineNumber)" })
        }
        # The check is not blind: each construct in a probe is found.
        $probe = '$a = $b ?? 1; $c ??= 2; $d = ${e}?.F; $g = ${h}?[0]; git pull && git push; x || y; $i = $j ? 1 : 2; Get-Item . -ProgressAction Ignore'
        $found = (Find-Pwsh7Syntax $probe) -join "`n"
        foreach ($kind in 'QuestionQuestion at', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr', 'PipelineChainAst', 'TernaryExpressionAst', '-ProgressAction') {
            $found | Should -Match ([regex]::Escape($kind))
        }

        Find-Pwsh7Syntax (Get-Content -Raw -LiteralPath $runbook) | Should -BeNullOrEmpty
    }
}
