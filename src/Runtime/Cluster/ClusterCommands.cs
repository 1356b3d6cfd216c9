using System.Data.Common;

namespace AccountGrains.Runtime.Cluster;

/// <summary>
/// Commands on the data source: each opens a pooled connection when executed and returns it when disposed, so the
/// tables hold no connection between calls (a broken connection is dropped by the pool, the next call gets a new one).
/// </summary>
internal static class ClusterCommands
{
    public static DbCommand Create(DbDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
