namespace AccountGrains.Runtime.Transport;

/// <summary>
/// A one-way grain call sent earlier never reached its partition queue (the broker did not confirm it in time). The
/// sender must resume from what it knows was stored: the ingest restarts its source from its checkpoint.
/// </summary>
public sealed class MessageNotDeliveredException(string message, Exception? inner = null) : Exception(message, inner);
