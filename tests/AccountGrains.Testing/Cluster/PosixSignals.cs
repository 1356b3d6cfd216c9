using System.ComponentModel;
using System.Runtime.InteropServices;

namespace AccountGrains.Testing.Cluster;

/// <summary>
/// <c>kill(2)</c> from libc. .NET has <see cref="System.Diagnostics.Process.Kill()"/> (SIGKILL) but nothing that
/// sends SIGTERM, the signal the generic host answers with a graceful shutdown (as <c>docker stop</c> and
/// Kubernetes send it).
/// </summary>
internal static class PosixSignals
{
    public const int SigTerm = 15;

    public static void Terminate(int processId)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException("the test cluster sends SIGTERM, which needs Linux or macOS");
        }

        if (Kill(processId, SigTerm) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            const int noSuchProcess = 3; // ESRCH: it exited already, which is what we asked for
            if (error != noSuchProcess)
            {
                throw new Win32Exception(error, $"kill({processId}, SIGTERM) failed");
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
