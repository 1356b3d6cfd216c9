using Xunit.Abstractions;
using Xunit.Sdk;

namespace AccountGrains.Runtime.Tests.TestSupport;

/// <summary>Marks a test class whose inherited <see cref="StoreFactAttribute"/> tests need PostgreSQL.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

/// <summary>
/// A fact of a shared test base (the storage conformance tests): it skips in a derived class marked
/// <see cref="RequiresPostgresAttribute"/> when PostgreSQL is not configured. (An attribute on the base method cannot
/// know which class runs it; its discoverer can.)
/// </summary>
[XunitTestCaseDiscoverer("AccountGrains.Runtime.Tests.TestSupport.StoreFactDiscoverer", "AccountGrains.Runtime.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        if (PostgresTestDatabase.ConnectionString is null && testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any())
        {
            return
            [
                new XunitSkippedDataRowTestCase(
                    diagnosticMessageSink,
                    discoveryOptions.MethodDisplayOrDefault(),
                    discoveryOptions.MethodDisplayOptionsOrDefault(),
                    testMethod,
                    PostgresTestDatabase.SkipReason),
            ];
        }

        return _facts.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
