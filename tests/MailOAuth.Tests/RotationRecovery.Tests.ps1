Describe 'Update-MailOAuthSecret recovers from killed and failed runs' -Tag 'Secrets' {
    # A rotation dies (is stopped, or a request fails hard) right after step 1 (addPassword answered) or after
    # step 3 (the platform saved); a second run without faults must converge: one proven secret, on the platform,
    # and nothing the platform may hold ever removed. Faults come from the sandbox's fault endpoint; the request
    # log (with the keyId of each addPassword and removePassword) and /_sandbox/platform, /_sandbox/directory say
    # what happened.
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        $script:platform = Get-PlatformParams $sandbox
        function script:Requests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox) }
        function script:PlatformState { Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/platform' }
        function script:DirectoryApp([string] $ClientId) { (Get-MailOAuthSandboxDirectory -Sandbox $sandbox).applications | Where-Object appId -EQ $ClientId }
        function script:SecretsOf([string] $ClientId) { @((DirectoryApp $ClientId).passwordCredentials) }
        function script:Fault([hashtable] $Fault) { Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault $Fault | Out-Null }

        # A managed app with its consent, and the platform configured with its first secret (S0); the log starts empty.
        function script:New-PlatformApp {
            $name = "Recovery $([guid]::NewGuid().ToString('N').Substring(0, 8))"
            $app = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed | Grant-MailSendConsent -PassThru
            $app | Set-ResellerSmtpSetting @platform | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox
            $app
        }

        # The rotation in a runspace of its own (its own connection), started after the admin token is cached there so
        # the fault it is given hits the rotation's own requests. Waits are bounded and end on a condition; nothing
        # sleeps a fixed time.
        function script:Start-Rotation([string] $ClientId, [hashtable] $Fault, [hashtable] $Extra = @{}) {
            $ps = [powershell]::Create()
            [void]$ps.AddScript({
                    param($ModulePath, $ToolsPath, $Sandbox, $ClientId, $PlatformUri, [securestring] $ApiToken, [hashtable] $Fault, [hashtable] $Extra)
                    Import-Module $ToolsPath
                    Import-Module $ModulePath
                    Register-MailOAuthSandboxEnvironment -Sandbox $Sandbox | Out-Null
                    $s = $Sandbox.Info
                    Connect-MailOAuth -TenantId $s.tenantId -ClientId $s.admin.clientId -Environment Sandbox `
                        -ClientSecret (ConvertTo-SecureString $s.admin.clientSecret -AsPlainText -Force) | Out-Null
                    Get-MailOAuthApp -ClientId $ClientId | Out-Null # the admin token is cached from here on
                    Add-MailOAuthSandboxFault -Sandbox $Sandbox -Fault $Fault | Out-Null
                    Update-MailOAuthSecret -ClientId $ClientId -PlatformUri $PlatformUri -ApiToken $ApiToken -ProgressAction SilentlyContinue @Extra
                }).AddParameters(@{
                    ModulePath = (Resolve-Path $env:MAILOAUTH_MODULE_PATH).Path; ToolsPath = (Resolve-Path (Join-Path $PSScriptRoot '../../build/SandboxTools.psm1')).Path
                    Sandbox = $sandbox; ClientId = $ClientId; PlatformUri = $platform.PlatformUri; ApiToken = $platform.ApiToken; Fault = $Fault; Extra = $Extra
                })
            [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
        }
        function script:Wait-Until($Rotation, [scriptblock] $Condition, [int] $TimeoutSeconds = 60) {
            $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
            while (-not (& $Condition)) {
                if ($Rotation.Handle.AsyncWaitHandle.WaitOne(50)) { throw "The rotation ended first: $($Rotation.PowerShell.Streams.Error | Select-Object -First 1)" }
                if ([DateTime]::UtcNow -gt $deadline) { throw "The rotation did not get there within $TimeoutSeconds s." }
            }
        }
        # Stopped (as Ctrl+C or a killed job stops it) once the request log shows $Until.
        function script:Stop-RotationWhen([string] $ClientId, [hashtable] $Fault, [scriptblock] $Until) {
            $rotation = Start-Rotation $ClientId $Fault
            try {
                Wait-Until $rotation { & $Until (Requests) }
                $rotation.PowerShell.Stop()
                $rotation.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            }
            finally { $rotation.PowerShell.Dispose() }
        }

        # Its save held (latency), then stored and answered 500; while it is held, the platform's reads start failing.
        # Returns the rotation's errors once it has ended.
        function script:Invoke-UnreadableSaveRotation([string] $ClientId, [hashtable] $Extra = @{}) {
            $rotation = Start-Rotation $ClientId @{ pathPattern = 'smtp-settings$'; method = 'PUT'; status = 500; afterProcessing = $true; latencyMs = 3000; count = 1 } $Extra
            try {
                Wait-Until $rotation { @(Requests | Where-Object { $_.kind -eq 'platform' -and $_.method -eq 'GET' }).Count -ge 2 -and
                    @(Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/faults' | ForEach-Object { $_ }).Count -eq 0 }
                Fault @{ pathPattern = 'smtp-settings$'; method = 'GET'; status = 500; count = 2 }
                $rotation.Handle.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue
                @($rotation.PowerShell.Streams.Error)
            }
            finally { $rotation.PowerShell.Dispose() }
        }

        # Walks the log: the platform may hold its first secret, and after each save the secret added last before it
        # (a failed save: either). No removePassword may name a secret the platform may hold at that moment.
        function script:Assert-NothingInUseRemoved([object[]] $Log, [string] $PlatformKeyId) {
            $held = @($PlatformKeyId); $lastAdded = $null
            foreach ($q in $Log) {
                if ($q.path -match '/addPassword$' -and $q.status -eq 200) { $lastAdded = $q.keyId }
                elseif ($q.kind -eq 'platform' -and $q.method -eq 'PUT') { $held = if ($q.status -eq 200) { @($lastAdded) } else { @($held) + $lastAdded } }
                elseif ($q.path -match '/removePassword$') { $held | Should -Not -Contain $q.keyId -Because "removePassword $($q.keyId) at $($q.time) named a secret the platform may hold" }
            }
        }

        # Converged: the app has exactly the new secret, the platform holds it (hint, client ID), proven by the platform's test.
        function script:Assert-Converged($App, $Rotated) {
            $Rotated | Should -BeOfType 'MailOAuth.Output.MailOAuthRotatedSecret'
            $Rotated.ProvenBy | Should -Contain 'Token'
            $Rotated.ProvenBy | Should -Contain 'PlatformTest'
            (SecretsOf $App.ClientId).keyId | Should -Be @($Rotated.SecretKeyId)
            $state = PlatformState
            $state.settings.clientId | Should -Be $App.ClientId
            $state.settings.clientSecretHint | Should -Be $Rotated.SecretHint
            $state.lastTest.delivered | Should -BeTrue
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-SandboxTest -Sandbox $sandbox
    }

    Context 'killed or failed after step 1 (the new secret added, not yet on the platform)' {
        It 'a run stopped while proving its new secret leaves it behind; the re-run removes it (its value was never seen) and ends on one proven secret' {
            $app = New-PlatformApp
            # The proof's token request hangs; the run is stopped once addPassword has answered.
            Stop-RotationWhen -ClientId $app.ClientId -Fault @{ pathPattern = '/oauth2/v2.0/token$'; method = 'POST'; latencyMs = 60000; count = 1 } `
                -Until { param($log) @($log | Where-Object { $_.path -match '/addPassword$' -and $_.status -eq 200 }).Count -gt 0 }
            $orphan = (Requests | Where-Object { $_.path -match '/addPassword$' -and $_.status -eq 200 }).keyId
            @(SecretsOf $app.ClientId).Count | Should -Be 2 -Because 'the stopped run never got to remove its secret'
            (PlatformState).settings.clientSecretHint | Should -Be $app.SecretHint

            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [MailOAuth.Output.MailOAuthRotatedSecret] }

            Assert-Converged $app $r
            @($r.RemovedKeyIds | Sort-Object) | Should -Be @(@($app.SecretKeyId, $orphan) | Sort-Object)
            ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
                Should -Match ([regex]::Escape("Secret $orphan") + '.*value was never seen by anyone')
            Assert-NothingInUseRemoved (Requests) $app.SecretKeyId
        }

        It 'a run whose platform save fails and whose clean-up fails too leaves an unseen secret; the re-run removes it' {
            $app = New-PlatformApp
            Fault @{ pathPattern = 'smtp-settings$'; method = 'PUT'; status = 500; count = 1 }
            Fault @{ pathPattern = '/removePassword$'; status = 500; count = 1 }
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
            $e[0].FullyQualifiedErrorId | Should -Be 'ServiceUnavailable,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
            $e[0].Exception.Message | Should -Match 'could not be removed again'
            $orphan = (Requests | Where-Object { $_.path -match '/addPassword$' -and $_.status -eq 200 }).keyId
            (SecretsOf $app.ClientId).keyId | Should -Contain $orphan
            (PlatformState).settings.clientSecretHint | Should -Be $app.SecretHint

            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [MailOAuth.Output.MailOAuthRotatedSecret] }

            Assert-Converged $app $r
            $r.RemovedKeyIds | Should -Contain $orphan
            ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'value was never seen by anyone'
            Assert-NothingInUseRemoved (Requests) $app.SecretKeyId
        }
    }

    Context 'killed or failed after step 3 (the platform holds the new secret)' {
        It 'a run stopped during the platform''s test: the re-run moves the platform to a proven secret and removes both older ones, never one the platform holds' {
            $app = New-PlatformApp
            Stop-RotationWhen -ClientId $app.ClientId -Fault @{ pathPattern = 'smtp-settings/test$'; method = 'POST'; latencyMs = 60000; count = 1 } `
                -Until { param($log) @($log | Where-Object { $_.kind -eq 'platform' -and $_.method -eq 'PUT' -and $_.status -eq 200 }).Count -gt 0 }
            $first = (Requests | Where-Object { $_.path -match '/addPassword$' -and $_.status -eq 200 }).keyId
            @(SecretsOf $app.ClientId).Count | Should -Be 2
            (PlatformState).settings.clientSecretHint | Should -Be ((SecretsOf $app.ClientId) | Where-Object keyId -EQ $first).hint
            @(Requests | Where-Object path -Match '/removePassword$').Count | Should -Be 0

            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform

            Assert-Converged $app $r
            @($r.RemovedKeyIds | Sort-Object) | Should -Be @(@($app.SecretKeyId, $first) | Sort-Object)
            Assert-NothingInUseRemoved (Requests) $app.SecretKeyId
            (Send-ResellerTestEmail @platform -To 'admin@contoso.com').Delivered | Should -BeTrue
        }

        It 'a run whose removal fails after the platform test: the platform stays on the new secret and the re-run removes what is left' {
            $app = New-PlatformApp
            Fault @{ pathPattern = '/removePassword$'; status = 500; count = 1 }
            $first = Update-MailOAuthSecret -ClientId $app.ClientId @platform -WarningVariable w -WarningAction SilentlyContinue
            $first.RemovedKeyIds | Should -BeNullOrEmpty
            ($w -join "`n") | Should -Match ([regex]::Escape("Remove-MailOAuthSecret -ClientId $($app.ClientId) -KeyId $($app.SecretKeyId)"))
            (PlatformState).settings.clientSecretHint | Should -Be $first.SecretHint

            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform

            Assert-Converged $app $r
            @($r.RemovedKeyIds | Sort-Object) | Should -Be @(@($app.SecretKeyId, $first.SecretKeyId) | Sort-Object)
            Assert-NothingInUseRemoved (Requests) $app.SecretKeyId
        }
    }

    Context 'a platform save that stored the value and then answered with an error' {
        It 'keeps the new secret (the platform holds it: read back by its hint), runs the platform''s test and finishes on it' {
            $app = New-PlatformApp
            # The platform stores the settings; a gateway in front of it answers 500.
            Fault @{ pathPattern = 'smtp-settings$'; method = 'PUT'; status = 500; afterProcessing = $true; count = 1 }

            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform -WarningVariable w -WarningAction SilentlyContinue

            $log = Requests
            ($log | Where-Object { $_.kind -eq 'platform' -and $_.method -eq 'PUT' }).status | Should -Be 500
            $new = ($log | Where-Object { $_.path -match '/addPassword$' -and $_.status -eq 200 }).keyId
            @($log | Where-Object { $_.path -match '/removePassword$' -and $_.keyId -eq $new }).Count | Should -Be 0 -Because 'the platform holds the new secret'
            ($w -join "`n") | Should -Match 'holds the new secret'
            $r.SecretKeyId | Should -Be $new
            $r.PlatformUpdated | Should -BeTrue
            Assert-Converged $app $r
            $r.RemovedKeyIds | Should -Be @($app.SecretKeyId)
            # The old secret went only after the platform's test had passed on the new one.
            $test = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'platform' -and $q.path -match '/test$' })
            $remove = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.path -match '/removePassword$' })
            $remove | Should -BeGreaterThan $test
            (Send-ResellerTestEmail @platform -To 'admin@contoso.com').Delivered | Should -BeTrue
        }

        It 'keeps the new secret, and every old one, when the platform cannot be read back after such a save; the re-run converges' {
            $app = New-PlatformApp
            # The save is held (latency) and then stored and answered 500; while it is held, the platform's reads start failing.
            $e = @(Invoke-UnreadableSaveRotation $app.ClientId)

            $e[0].FullyQualifiedErrorId | Should -Be 'ServiceUnavailable,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
            $e[0].Exception.Message | Should -Match 'may hold the new secret .* so it was kept'
            $e[0].Exception.Message | Should -Match 'its value is in no output\.' -Because 'without -KeyVaultUri nothing else holds it'
            $log = Requests
            @($log | Where-Object kind -EQ 'keyvault').Count | Should -Be 0
            $new = ($log | Where-Object { $_.path -match '/addPassword$' -and $_.status -eq 200 }).keyId
            @($log | Where-Object path -Match '/removePassword$').Count | Should -Be 0
            @(SecretsOf $app.ClientId).keyId | Should -Be @($app.SecretKeyId, $new)
            (PlatformState).settings.clientSecretHint | Should -Be ((SecretsOf $app.ClientId) | Where-Object keyId -EQ $new).hint

            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform

            Assert-Converged $app $r
            @($r.RemovedKeyIds | Sort-Object) | Should -Be @(@($app.SecretKeyId, $new) | Sort-Object)
        }

        It 'with -KeyVaultUri, stores the kept secret in the vault before it stops, so its value is not lost, and says where' {
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/keyvault' | Out-Null
            $app = New-PlatformApp
            $vault = @{ KeyVaultUri = $info.keyVault.uri; KeyVaultSecretName = 'kept-secret' }
            # As above: the save is stored and answered 500, and the platform cannot be read back after it.
            $e = @(Invoke-UnreadableSaveRotation $app.ClientId $vault)

            $e[0].FullyQualifiedErrorId | Should -Be 'ServiceUnavailable,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
            $e[0].Exception.Message | Should -Match 'may hold the new secret .* so it was kept'
            $log = Requests
            $new = ($log | Where-Object { $_.path -match '/addPassword$' -and $_.status -eq 200 }).keyId
            @($log | Where-Object path -Match '/removePassword$').Count | Should -Be 0
            # The vault holds the kept secret: its key id, and the value whose hint the platform shows.
            $stored = Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name 'kept-secret'
            $stored.tags.KeyId | Should -Be $new
            $stored.tags.ClientId | Should -Be $app.ClientId
            $stored.value.Substring(0, 3) | Should -Be ((SecretsOf $app.ClientId) | Where-Object keyId -EQ $new).hint
            (PlatformState).settings.clientSecretHint | Should -Be $stored.value.Substring(0, 3)
            $e[0].Exception.Message | Should -Match ([regex]::Escape("stored in Key Vault ($($stored.id))"))
            $e[0].Exception.Message | Should -Not -Match 'its value is in no output\.'
            # The vault was written after the failed save and before the command stopped.
            $put = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'platform' -and $q.method -eq 'PUT' })
            $vaultWrite = [array]::FindIndex($log, [Predicate[object]] { param($q) $q.kind -eq 'keyvault' -and $q.method -eq 'PUT' -and $q.status -eq 200 })
            $vaultWrite | Should -BeGreaterThan $put
        }
    }
}
