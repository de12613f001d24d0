#requires -Version 7.2
<#
.SYNOPSIS
    The one front door: build, test, demo, bench.
.DESCRIPTION
    Build (default)  builds and lays out the importable module at out/MailOAuth/MailOAuth.psd1
                     (stamped manifest, format file, MAML help, dependencies) and the sandbox at out/Sandbox.
    Test             builds, runs xunit, then Pester in a child pwsh against the built module, and ends
                     with one line "Tests: N passed, N failed, N skipped" (exit 1 on any failure).
    Demo             starts the sandbox and runs the onboarding against it, then shows the delivered message.
    Bench            prints import time and requests/time for a test send against the sandbox.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester tag filter, e.g. -PesterTag Send
    [string[]] $PesterTag
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'MailOAuth'
$sandboxOut = Join-Path $out 'Sandbox'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    $props.Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
}

function Invoke-Build {
    Write-Host "Building MailOAuth ($Configuration)…"
    if (Test-Path $moduleOut) { Remove-Item -Recurse -Force $moduleOut }
    Invoke-Dotnet publish (Join-Path $root 'src/MailOAuth/MailOAuth.csproj') -c $Configuration -o $moduleOut --nologo -v quiet
    Invoke-Dotnet build (Join-Path $root 'src/MailOAuth.Sandbox/MailOAuth.Sandbox.csproj') -c $Configuration -o $sandboxOut --nologo -v quiet

    # Manifest: stamped with the version from Directory.Build.props.
    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Join-Path $root 'MailOAuth.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $moduleOut 'MailOAuth.psd1') -Value $manifest -Encoding utf8NoBOM
    Copy-Item (Join-Path $root 'src/MailOAuth/MailOAuth.Format.ps1xml') $moduleOut
    Get-ChildItem $moduleOut -Filter '*.pdb' | Remove-Item
    Get-ChildItem $moduleOut -Filter '*.deps.json' | Remove-Item
    Get-ChildItem $moduleOut -Filter '*.xml' | Remove-Item
    # Core and its dependencies go to dependencies/: on PowerShell 7 they load into MailOAuth's own
    # AssemblyLoadContext (src/MailOAuth/Infrastructure/ModuleInitializer.cs), so other modules' copies
    # of Azure.Identity / MSAL / Graph never clash with ours.
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $moduleOut 'dependencies') -Force
    Get-ChildItem $moduleOut -Filter '*.dll' | Where-Object Name -NE 'MailOAuth.dll' | Move-Item -Destination $dependencies

    # Help: MAML generated from the markdown sources in docs/help.
    $helpScript = Join-Path $root 'build/New-MamlHelp.ps1'
    if (Test-Path $helpScript) {
        & $helpScript -SourcePath (Join-Path $root 'docs/help') -OutputPath (Join-Path $moduleOut 'en-US/MailOAuth.dll-Help.xml')
    }
    Write-Host "Module laid out at $(Join-Path $moduleOut 'MailOAuth.psd1') (version $version)."
}

function Get-PesterPath {
    Invoke-Dotnet restore (Join-Path $root 'build/tools.proj') --nologo -v quiet
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $psd1 = Get-ChildItem (Join-Path $packages 'pester') -Directory | Sort-Object { [version]$_.Name } -Descending |
        ForEach-Object { Join-Path $_.FullName 'tools/Pester.psd1' } | Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $psd1) { throw 'Pester was not restored from NuGet (build/tools.proj).' }
    $psd1
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $out 'TestResults'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Path $results | Out-Null

    # 1. xunit
    Write-Host 'Running xunit…'
    & dotnet test (Join-Path $root 'tests/MailOAuth.Core.Tests/MailOAuth.Core.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=core.trx' --logger 'console;verbosity=normal' --results-directory $results
    $xunitExit = $LASTEXITCODE
    $x = @{ passed = 0; failed = 0; skipped = 0 }
    $trx = Join-Path $results 'core.trx'
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $x.passed = [int]$counters.passed
        $x.failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $x.skipped = [int]$counters.notExecuted
    }
    elseif ($xunitExit -ne 0) { $x.failed = 1; Write-Host 'xunit did not run (build failure?): counted as one failure.' }

    # 2. Pester, in a child pwsh against the built module.
    Write-Host 'Running Pester…'
    $pester = Get-PesterPath
    $pesterJson = Join-Path $results 'pester.json'
    $childArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build/Invoke-PesterChild.ps1'),
        '-PesterPath', $pester, '-ModulePath', (Join-Path $moduleOut 'MailOAuth.psd1'), '-SandboxPath', (Join-Path $sandboxOut 'MailOAuth.Sandbox.dll'),
        '-TestPath', (Join-Path $root 'tests/MailOAuth.Tests'), '-ResultPath', $pesterJson)
    if ($PesterTag) { $childArgs += @('-Tag', ($PesterTag -join ',')) }
    Push-Location $root
    try { & dotnet pwsh @childArgs } finally { Pop-Location }
    $p = @{ passed = 0; failed = 0; skipped = 0 }
    if (Test-Path $pesterJson) {
        $r = Get-Content -Raw $pesterJson | ConvertFrom-Json
        $p.passed = [int]$r.passed; $p.failed = [int]$r.failed; $p.skipped = [int]$r.skipped
    }
    else { $p.failed = 1; Write-Host 'Pester did not report results: counted as one failure.' }

    $passed = $x.passed + $p.passed; $failed = $x.failed + $p.failed; $skipped = $x.skipped + $p.skipped
    Write-Host "xunit: $($x.passed) passed, $($x.failed) failed, $($x.skipped) skipped; Pester: $($p.passed) passed, $($p.failed) failed, $($p.skipped) skipped"
    Write-Output "Tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Push-Location $root
    try { & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'build/Demo.ps1') -ModulePath (Join-Path $moduleOut 'MailOAuth.psd1') -SandboxPath (Join-Path $sandboxOut 'MailOAuth.Sandbox.dll') }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    Push-Location $root
    try { & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'build/Bench.ps1') -ModulePath (Join-Path $moduleOut 'MailOAuth.psd1') -SandboxPath (Join-Path $sandboxOut 'MailOAuth.Sandbox.dll') }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
}
