Describe 'The secret lifecycle: Get-, Update- and Remove-MailOAuthSecret' -Tag 'Secrets' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        $script:platform = Get-PlatformParams $sandbox
        $script:adminToken = $null
        function script:Requests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox) }
        function script:Writes { @(Requests | Where-Object { $_.method -in 'POST', 'PATCH', 'PUT', 'DELETE' }) }
        function script:AdminToken {
            Get-SandboxAdminToken $sandbox
        }
        function script:Graph([string] $Method = 'GET', [string] $Path, $Body) {
            Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token (AdminToken) -Method $Method -Path $Path -Body $Body
        }
        function script:SecretsOf([string] $ClientId) {
            @((Graph -Path "/applications(appId='$ClientId')?`$select=passwordCredentials").passwordCredentials)
        }
        # A managed app with its consent, and the platform configured with its first secret (S0).
        function script:New-PlatformApp {
            $name = "Rotation $([guid]::NewGuid().ToString('N').Substring(0, 8))"
            $app = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed | Grant-MailSendConsent -PassThru
            $app | Set-ResellerSmtpSetting @platform | Out-Null
            $app | Add-Member -NotePropertyName AppName -NotePropertyValue $name -PassThru
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-SandboxTest -Sandbox $sandbox
    }

    Context 'Get-MailOAuthSecret' {
        It 'lists a managed app''s secret with its expiry, status and MailOAuth''s mark, as a flat CSV-friendly object' {
            $app = New-MailOAuthApp -DisplayName "Listed $([guid]::NewGuid().ToString('N').Substring(0, 6))" -SecretLifetimeMonths 12
            $rows = @(Get-MailOAuthSecret -ClientId $app.ClientId)
            $rows.Count | Should -Be 1
            $rows[0] | Should -BeOfType 'MailOAuth.Output.MailOAuthSecret'
            $rows[0].KeyId | Should -Be $app.SecretKeyId
            $rows[0].Hint | Should -Be $app.SecretHint
            $rows[0].CredentialType | Should -Be 'ClientSecret'
            $rows[0].ManagedByMailOAuth | Should -BeTrue
            $rows[0].Description | Should -Match '\[MailOAuth\]$'
            $rows[0].Status | Should -Be 'Valid'
            $rows[0].DaysLeft | Should -BeIn (360..366)
            $rows[0].ExpiresOn | Should -Be $app.SecretExpiresOn
            $rows[0].InUseByPlatform | Should -BeNullOrEmpty
            $csv = $rows | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
            $csv[0].KeyId | Should -Be $app.SecretKeyId
            $csv[0].ExpiresOn | Should -Not -BeNullOrEmpty
            foreach ($line in ($rows | Out-String -Width 120) -split "`r?`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 120 }
            ($rows | Out-String -Width 120) | Should -Match ([regex]::Escape($app.SecretKeyId))
        }

        It '-All finds the unmanaged apps holding Mail.Send, with certificates and federated credentials, sorted by expiry' {
            # A certificate and a federated credential on the unmanaged, consented app.
            $rsa = [System.Security.Cryptography.RSA]::Create(2048)
            $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=mail-app', $rsa, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
            $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(10))
            $consented = $info.apps.consented
            Graph -Method PATCH -Path "/applications/$($consented.objectId)" -Body @{
                keyCredentials = @(@{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = [Convert]::ToBase64String($cert.RawData); displayName = 'CN=mail-app' })
            } | Out-Null
            Graph -Method POST -Path "/applications/$($consented.objectId)/federatedIdentityCredentials" -Body @{
                name = 'github-prod'; issuer = 'https://token.actions.githubusercontent.com'; subject = 'repo:contoso/mail:environment:prod'; audiences = @('api://AzureADTokenExchange')
            } | Out-Null

            (Get-MailOAuthSecret | Where-Object ClientId -EQ $consented.clientId) | Should -BeNullOrEmpty -Because 'without -All only managed apps are listed'
            $all = @(Get-MailOAuthSecret -All)
            $mine = @($all | Where-Object ClientId -EQ $consented.clientId)
            ($mine | Where-Object CredentialType -EQ 'ClientSecret').KeyId | Should -Be $consented.secretKeyId
            ($mine | Where-Object CredentialType -EQ 'ClientSecret').AppManagedByMailOAuth | Should -BeFalse
            $certRow = $mine | Where-Object CredentialType -EQ 'Certificate'
            $certRow.Hint | Should -Be $cert.Thumbprint
            $certRow.Status | Should -Be 'ExpiringSoon'
            ($mine | Where-Object CredentialType -EQ 'FederatedCredential').Hint | Should -Be 'repo:contoso/mail:environment:prod'
            # The unconsented app holds no Mail.Send: not listed.
            $all.ClientId | Should -Not -Contain $info.apps.unconsented.clientId
            # The expired secret is listed as such, and first (sorted by expiry).
            $expired = $all | Where-Object ClientId -EQ $info.apps.expiredSecret.clientId
            $expired.Status | Should -Be 'Expired'
            $all[0].ClientId | Should -Be $info.apps.expiredSecret.clientId
            $dated = @($all | Where-Object ExpiresOn)
            for ($i = 1; $i -lt $dated.Count; $i++) { $dated[$i].ExpiresOn | Should -BeGreaterOrEqual $dated[$i - 1].ExpiresOn }
            ($all | Select-Object -Last 1).CredentialType | Should -Be 'FederatedCredential'
        }

        It '-ExpiringWithinDays keeps only what expires within that many days' {
            $within = @(Get-MailOAuthSecret -All -ExpiringWithinDays 0)
            $within.Count | Should -BeGreaterThan 0
            $within.Status | Sort-Object -Unique | Should -Be 'Expired'
            @(Get-MailOAuthSecret -All -ExpiringWithinDays 3650).Count | Should -BeGreaterThan $within.Count
        }

        It 'InUseByPlatform is true for the platform''s secret and false for the others' {
            $app = New-PlatformApp
            $second = New-MailOAuthApp -DisplayName $app.AppName -WarningAction SilentlyContinue
            $rows = @(Get-MailOAuthSecret -ClientId $app.ClientId @platform)
            $rows.Count | Should -Be 2
            ($rows | Where-Object KeyId -EQ $app.SecretKeyId).InUseByPlatform | Should -BeTrue
            ($rows | Where-Object KeyId -EQ $second.SecretKeyId).InUseByPlatform | Should -BeFalse
            (Get-MailOAuthSecret -All @platform | Where-Object ClientId -EQ $info.apps.consented.clientId).InUseByPlatform | Should -BeFalse
        }
    }

    Context 'Update-MailOAuthSecret' {
        It 'rotates without an outage: the platform test passes before and after, the old secret goes only after the platform holds the new one' {
            $app = New-PlatformApp
            (Send-ResellerTestEmail @platform -To 'admin@contoso.com').Delivered | Should -BeTrue
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform -To 'admin@contoso.com'

            $r | Should -BeOfType 'MailOAuth.Output.MailOAuthRotatedSecret'
            $r.ClientSecret | Should -BeOfType 'System.Security.SecureString'
            $r.SecretKeyId | Should -Not -Be $app.SecretKeyId
            $r.RemovedKeyIds | Should -Be @($app.SecretKeyId)
            $r.PlatformUpdated | Should -BeTrue
            $r.ProvenBy | Should -Be @('Token', 'PlatformTest')
            (Get-ResellerSmtpSetting @platform).ClientSecretHint | Should -Be $r.SecretHint
            $left = SecretsOf $app.ClientId
            $left.Count | Should -Be 1
            $left[0].keyId | Should -Be $r.SecretKeyId
            # Order in the request log: add, token proof, platform save, platform test, and only then removal.
            $log = Requests
            $add = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.path -match 'addPassword$' })
            $save = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'platform' -and $q.method -eq 'PUT' })
            $test = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'platform' -and $q.path -match '/test$' })
            $remove = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.path -match 'removePassword$' })
            $add | Should -BeGreaterOrEqual 0
            $save | Should -BeGreaterThan $add
            $test | Should -BeGreaterThan $save
            $remove | Should -BeGreaterThan $test
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
            (Send-ResellerTestEmail @platform -To 'admin@contoso.com').Delivered | Should -BeTrue
        }

        It 'a rejected platform save keeps every old secret, removes the unseen new one, and says what the platform holds' {
            $app = New-PlatformApp
            $before = Get-ResellerSmtpSetting @platform
            $refusal = '{"errors":[{"field":"clientSecret","message":"Secrets of this form are not accepted."}]}'
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings$'; method = 'PUT'; status = 422; body = $refusal; count = 1 } | Out-Null
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
            $e[0].FullyQualifiedErrorId | Should -Be 'PlatformRejectedSettings,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
            $e[0].Exception.Message | Should -Match 'kept its previous settings'
            $e[0].Exception.Message | Should -Match ([regex]::Escape("secret $($before.ClientSecretHint)…"))
            $e[0].Exception.Message | Should -Match 'Every old secret of the app was kept'
            $e[0].TargetObject | Should -BeOfType 'MailOAuth.Output.MailOAuthTarget'
            $left = SecretsOf $app.ClientId
            $left.keyId | Should -Be @($app.SecretKeyId)
            (Get-ResellerSmtpSetting @platform).UpdatedAt | Should -Be $before.UpdatedAt
        }

        It 'a failed platform test keeps every old secret and says the platform now holds the new one' {
            $app = New-PlatformApp
            $failure = '{"delivered":false,"error":{"code":"SMTP_FAILED","message":"The relay refused the message."}}'
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings/test$'; method = 'POST'; status = 200; body = $failure; count = 1 } | Out-Null
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -To 'admin@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
            $e[0].FullyQualifiedErrorId | Should -Be 'PlatformTestFailed,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
            $e[0].Exception.Message | Should -Match 'The platform now holds the new secret'
            $e[0].Exception.Message | Should -Match ([regex]::Escape($app.SecretKeyId))
            $left = SecretsOf $app.ClientId
            $left.Count | Should -Be 2
            $left.keyId | Should -Contain $app.SecretKeyId
            @(Requests | Where-Object path -Match 'removePassword$').Count | Should -Be 0
        }

        It '-KeepPrevious removes nothing' {
            $app = New-PlatformApp
            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeepPrevious
            $r.RemovedKeyIds | Should -BeNullOrEmpty
            $r.KeptKeyIds | Should -Be @($app.SecretKeyId)
            (SecretsOf $app.ClientId).Count | Should -Be 2
            (Get-ResellerSmtpSetting @platform).ClientSecretHint | Should -Be $r.SecretHint
        }

        It 'never removes a secret MailOAuth did not create' {
            $app = New-PlatformApp
            $foreign = Graph -Method POST -Path "/applications(appId='$($app.ClientId)')/addPassword" -Body @{ passwordCredential = @{ displayName = 'made by hand' } }
            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform
            $r.RemovedKeyIds | Should -Be @($app.SecretKeyId)
            (SecretsOf $app.ClientId).keyId | Should -Contain $foreign.keyId
        }

        It 'a run killed after step 1 re-runs to one secret: the unseen secret of the first run is removed' {
            $app = New-PlatformApp
            # What the killed run left: a MailOAuth secret whose value nobody received.
            $orphan = Graph -Method POST -Path "/applications(appId='$($app.ClientId)')/addPassword" -Body @{ passwordCredential = @{ displayName = 'SMTP OAuth Secret [MailOAuth]' } }
            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [MailOAuth.Output.MailOAuthRotatedSecret] }
            @($r.RemovedKeyIds | Sort-Object) | Should -Be @(@($app.SecretKeyId, $orphan.keyId) | Sort-Object)
            ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'value was never seen by anyone'
            (SecretsOf $app.ClientId).keyId | Should -Be @($r.SecretKeyId)
            (Get-ResellerSmtpSetting @platform).ClientSecretHint | Should -Be $r.SecretHint
        }

        It 'a run killed after step 3 re-runs to one secret, and the platform''s secret is never removed before it holds another' {
            $app = New-PlatformApp
            # The state a run killed after step 3 leaves: the platform on the new secret, the old one still there.
            $first = Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeepPrevious
            Reset-MailOAuthSandbox -Sandbox $sandbox
            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform
            @($r.RemovedKeyIds | Sort-Object) | Should -Be @(@($app.SecretKeyId, $first.SecretKeyId) | Sort-Object)
            (SecretsOf $app.ClientId).keyId | Should -Be @($r.SecretKeyId)
            $log = Requests
            $save = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'platform' -and $q.method -eq 'PUT' })
            $firstRemove = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.path -match 'removePassword$' })
            $firstRemove | Should -BeGreaterThan $save
            (Send-ResellerTestEmail @platform -To 'admin@contoso.com').Delivered | Should -BeTrue
        }

        It 'refuses a platform that holds another app''s settings before any write' {
            $app = New-PlatformApp
            $other = New-MailOAuthApp -DisplayName "Other $([guid]::NewGuid().ToString('N').Substring(0, 6))"
            Reset-MailOAuthSandbox -Sandbox $sandbox
            Update-MailOAuthSecret -ClientId $other.ClientId @platform -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
            $e[0].FullyQualifiedErrorId | Should -Be 'PlatformAppMismatch,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
            $e[0].Exception.Message | Should -Match $app.ClientId
            Writes | Should -BeNullOrEmpty
        }

        It '-WhatIf writes nothing and outputs nothing' {
            $app = New-PlatformApp
            Reset-MailOAuthSandbox -Sandbox $sandbox
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -WhatIf | Should -BeNullOrEmpty
            Writes | Should -BeNullOrEmpty
            (SecretsOf $app.ClientId).Count | Should -Be 1
        }
    }

    Context 'Remove-MailOAuthSecret' {
        It 'refuses the secret the platform uses, and removes another' {
            $app = New-PlatformApp
            $second = New-MailOAuthApp -DisplayName $app.AppName -WarningAction SilentlyContinue
            Remove-MailOAuthSecret -ClientId $app.ClientId -KeyId $app.SecretKeyId @platform -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e
            $e[0].FullyQualifiedErrorId | Should -Be 'SecretInUse,MailOAuth.Commands.RemoveMailOAuthSecretCommand'
            Get-MailOAuthSecret -ClientId $app.ClientId | Where-Object KeyId -EQ $second.SecretKeyId | Remove-MailOAuthSecret @platform -Confirm:$false
            (SecretsOf $app.ClientId).keyId | Should -Be @($app.SecretKeyId)
        }

        It 'refuses a secret of an app MailOAuth does not manage unless -Force' {
            $consented = $info.apps.consented
            Remove-MailOAuthSecret -ClientId $consented.clientId -KeyId $consented.secretKeyId -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e
            $e[0].FullyQualifiedErrorId | Should -Be 'AppNotManaged,MailOAuth.Commands.RemoveMailOAuthSecretCommand'
            (SecretsOf $consented.clientId).Count | Should -Be 1
            Remove-MailOAuthSecret -ClientId $consented.clientId -KeyId $consented.secretKeyId -Force -Confirm:$false
            (SecretsOf $consented.clientId).Count | Should -Be 0
        }

        It 'an unknown key id is SecretNotFound, and -WhatIf removes nothing' {
            $app = New-MailOAuthApp -DisplayName "Kept $([guid]::NewGuid().ToString('N').Substring(0, 6))"
            Remove-MailOAuthSecret -ClientId $app.ClientId -KeyId ([guid]::NewGuid()) -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e
            $e[0].FullyQualifiedErrorId | Should -Be 'SecretNotFound,MailOAuth.Commands.RemoveMailOAuthSecretCommand'
            Reset-MailOAuthSandbox -Sandbox $sandbox
            Remove-MailOAuthSecret -ClientId $app.ClientId -KeyId $app.SecretKeyId -WhatIf
            Writes | Should -BeNullOrEmpty
            (SecretsOf $app.ClientId).Count | Should -Be 1
        }
    }

    # A mailbox-scoped app (Exchange RBAC for Applications, docs/service-behaviour.md#exchange-rbac): its Mail.Send comes from an
    # Exchange "Application Mail.Send" assignment, so its tokens never carry the Mail.Send role. The seeded `scoped` app is one,
    # its assignment applied long ago (tag MailOAuth:SendScope=Mailbox;…) and scoped to the licensed mailbox.
    Context 'a mailbox-scoped app' {
        BeforeAll {
            $script:scoped = $info.apps.scoped
            $script:sender = $info.mailboxes.licensed
            $script:updateCmd = 'MailOAuth.Commands.UpdateMailOAuthSecretCommand'
        }

        It 'rotates without a platform: a token issued with the new value is the token proof, and the send runs in the scoped mode' {
            $records = Update-MailOAuthSecret -ClientId $scoped.clientId -SenderAddress $sender -To 'admin@contoso.com' -Verbose 4>&1
            $r = @($records | Where-Object { $_ -is [MailOAuth.Output.MailOAuthRotatedSecret] })
            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"

            $r.Count | Should -Be 1
            $r[0].ProvenBy | Should -Be @('Token', 'Send')
            $r[0].SecretKeyId | Should -Not -Be $scoped.secretKeyId
            $verbose | Should -Match 'no Mail\.Send role by design'
            (SecretsOf $scoped.clientId).keyId | Should -Contain $r[0].SecretKeyId
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
            # The new value works: a scoped send with it is delivered.
            $p = Get-SendParams -Sandbox $sandbox -App scoped
            $p.ClientSecret = $r[0].ClientSecret
            (Send-MailOAuthTest @p -SendScope "Mailbox: $sender").Outcome | Should -Be 'Delivered'
        }

        It 'rotates through the platform: the platform ends on the new secret and its test is delivered' {
            $p = Get-SendParams -Sandbox $sandbox -App scoped
            Set-ResellerSmtpSetting @platform -TenantId $p.TenantId -ClientId $p.ClientId -ClientSecret $p.ClientSecret -SenderAddress $sender | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox

            $r = Update-MailOAuthSecret -ClientId $scoped.clientId @platform -To 'admin@contoso.com'

            $r.ProvenBy | Should -Be @('Token', 'PlatformTest')
            $r.PlatformUpdated | Should -BeTrue
            (Get-ResellerSmtpSetting @platform).ClientSecretHint | Should -Be $r.SecretHint
            @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
            (Send-ResellerTestEmail @platform -To 'admin@contoso.com').Delivered | Should -BeTrue
        }

        It 'a failed proof send names the Exchange scope, never "grant admin consent", and keeps every old secret' {
            $before = @(SecretsOf $scoped.clientId).keyId
            Update-MailOAuthSecret -ClientId $scoped.clientId -SenderAddress $info.mailboxes.other -To 'admin@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable e | Out-Null

            $e.Count | Should -Be 1
            $e[0].FullyQualifiedErrorId | Should -Be "MailboxAccessDenied,$updateCmd"
            $e[0].ErrorDetails.RecommendedAction | Should -Not -Match 'admin consent'
            $e[0].ErrorDetails.RecommendedAction | Should -Match 'Application Mail\.Send'
            @(SecretsOf $scoped.clientId).keyId | Should -Be $before
        }

        It '-All lists an unmanaged app whose Mail.Send is an Exchange "Application Mail.Send" assignment' {
            $unconsented = $info.apps.unconsented
            @(Get-MailOAuthSecret -All | Where-Object ClientId -EQ $unconsented.clientId) | Should -BeNullOrEmpty -Because 'it holds no Mail.Send yet'

            $senderId = (Graph -Path "users/$sender").id
            Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token (AdminToken) -Version beta -Method POST -Path 'roleManagement/exchange/roleAssignments' -Body @{
                principalId = "/ServicePrincipals/$($unconsented.servicePrincipalId)"; roleDefinitionId = $info.exchangeMailSendRoleDefinitionId
                directoryScopeId = "/Users/$senderId"; appScopeId = $null
            } | Out-Null

            $mine = @(Get-MailOAuthSecret -All | Where-Object ClientId -EQ $unconsented.clientId)
            $mine.Count | Should -Be 1
            $mine[0].KeyId | Should -Be $unconsented.secretKeyId
            $mine[0].AppManagedByMailOAuth | Should -BeFalse
        }
    }
}
