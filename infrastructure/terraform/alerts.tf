# Alerts, all to the action group (monitoring.tf), on when var.alerts_enabled (seed: staging
# "Full", production "Full + Alerts"). Seed 004's key metrics and severities, seed 001's storage
# alerts and the LLM daily cost. Percentiles, ratios and log patterns are log-search alerts;
# plain thresholds are metric alerts.

locals {
  metric_alerts = {
    api_cpu = {
      description = "API plan CPU above 80 % (sustained 15 min)"
      scope       = azurerm_service_plan.api.id
      namespace   = "Microsoft.Web/serverfarms"
      metric      = "CpuPercentage"
      aggregation = "Average"
      operator    = "GreaterThan"
      threshold   = 80
      severity    = 2
      window      = "PT15M"
      frequency   = "PT5M"
    }
    worker_cpu = {
      description = "Worker plan CPU above 80 % (sustained 15 min)"
      scope       = azurerm_service_plan.worker.id
      namespace   = "Microsoft.Web/serverfarms"
      metric      = "CpuPercentage"
      aggregation = "Average"
      operator    = "GreaterThan"
      threshold   = 80
      severity    = 2
      window      = "PT15M"
      frequency   = "PT5M"
    }
    api_memory = {
      description = "API plan memory above 85 % (sustained 15 min)"
      scope       = azurerm_service_plan.api.id
      namespace   = "Microsoft.Web/serverfarms"
      metric      = "MemoryPercentage"
      aggregation = "Average"
      operator    = "GreaterThan"
      threshold   = 85
      severity    = 2
      window      = "PT15M"
      frequency   = "PT5M"
    }
    worker_memory = {
      description = "Worker plan memory above 85 % (sustained 15 min)"
      scope       = azurerm_service_plan.worker.id
      namespace   = "Microsoft.Web/serverfarms"
      metric      = "MemoryPercentage"
      aggregation = "Average"
      operator    = "GreaterThan"
      threshold   = 85
      severity    = 2
      window      = "PT15M"
      frequency   = "PT5M"
    }
    api_down = {
      description = "API health check failing (seed: App Service down, Sev 0)"
      scope       = azurerm_linux_web_app.api.id
      namespace   = "Microsoft.Web/sites"
      metric      = "HealthCheckStatus"
      aggregation = "Average"
      operator    = "LessThan"
      threshold   = 100
      severity    = 0
      window      = "PT5M"
      frequency   = "PT1M"
    }
    redis_memory = {
      description = "Redis memory above 80 % of max"
      scope       = azurerm_managed_redis.main.id
      namespace   = "Microsoft.Cache/redisEnterprise"
      metric      = "usedmemorypercentage"
      aggregation = "Maximum"
      operator    = "GreaterThan"
      threshold   = 80
      severity    = 2
      window      = "PT15M"
      frequency   = "PT5M"
    }
    # Seed 004: "Database connection exhaustion: active connections > 90 %", Sev 1.
    postgres_connections = {
      description = "PostgreSQL active connections above 90 % of max_connections (seed: connection exhaustion, Sev 1)"
      scope       = azurerm_postgresql_flexible_server.main.id
      namespace   = "Microsoft.DBforPostgreSQL/flexibleServers"
      metric      = "active_connections"
      aggregation = "Maximum"
      operator    = "GreaterThan"
      threshold   = floor(local.postgres_max_connections * 0.9)
      severity    = 1
      window      = "PT5M"
      frequency   = "PT1M"
    }
    # Seed 004 key metrics: "Database connections > 80 % of pool". The pool is PgBouncer's
    # per user/database pool (pgbouncer.default_pool_size, postgresql.tf); alerts run in staging
    # and production, whose General Purpose servers have PgBouncer and its metrics on.
    postgres_pool = {
      description = "PgBouncer server connections in use above 80 % of the pool (seed: database connections)"
      scope       = azurerm_postgresql_flexible_server.main.id
      namespace   = "Microsoft.DBforPostgreSQL/flexibleServers"
      metric      = "server_connections_active"
      aggregation = "Maximum"
      operator    = "GreaterThan"
      threshold   = tonumber(local.pgbouncer_parameters["pgbouncer.default_pool_size"]) * 0.8
      severity    = 2
      window      = "PT5M"
      frequency   = "PT1M"
    }
    storage_capacity = {
      description = "Blob storage above 80 % of the budgeted quota (seed 001)"
      scope       = azurerm_storage_account.main.id
      namespace   = "Microsoft.Storage/storageAccounts"
      metric      = "UsedCapacity"
      aggregation = "Average"
      operator    = "GreaterThan"
      threshold   = var.storage_quota_gb * 0.8 * 1024 * 1024 * 1024
      severity    = 2
      window      = "PT6H"
      frequency   = "PT1H"
    }
  }
}

resource "azurerm_monitor_metric_alert" "metric" {
  for_each            = var.alerts_enabled ? local.metric_alerts : {}
  name                = "alert-${local.name}-${replace(each.key, "_", "-")}"
  resource_group_name = azurerm_resource_group.main.name
  scopes              = [each.value.scope]
  description         = each.value.description
  severity            = each.value.severity
  window_size         = each.value.window
  frequency           = each.value.frequency
  tags                = local.tags

  criteria {
    metric_namespace = each.value.namespace
    metric_name      = each.value.metric
    aggregation      = each.value.aggregation
    operator         = each.value.operator
    threshold        = each.value.threshold
  }

  action {
    action_group_id = azurerm_monitor_action_group.main.id
  }
}

locals {
  # Upload operations as Blob Storage logs them (diagnostic setting storage_blob, monitoring.tf).
  upload_operations = "dynamic(['PutBlob', 'PutBlock', 'PutBlockList'])"
  # Azure OpenAI platform metrics carry no model dimension: priced at gpt-4o list prices (USD per
  # 1K tokens). Since issue 20 the chat deployment runs a newer model (openai.tf) whose list
  # price may differ: revise these figures with Azure's price sheet for the models deployed.
  llm_cost_query = <<-KQL
    AzureMetrics
    | where ResourceProvider == "MICROSOFT.COGNITIVESERVICES"
    | where MetricName in ("ProcessedPromptTokens", "GeneratedTokens")
    | summarize prompt = sumif(Total, MetricName == "ProcessedPromptTokens"), completion = sumif(Total, MetricName == "GeneratedTokens")
    | extend cost_usd = prompt / 1000.0 * 0.0025 + completion / 1000.0 * 0.01
  KQL

  log_alerts = {
    api_latency_p95 = {
      description = "API response time P95 above 5 s"
      scope       = azurerm_application_insights.component["app"].id
      severity    = 2
      window      = "PT5M"
      frequency   = "PT5M"
      measure     = "p95_ms"
      threshold   = 5000
      query       = "requests | summarize p95_ms = percentile(duration, 95)"
    }
    api_5xx_rate = {
      description = "API 5xx responses above 1 % of requests"
      scope       = azurerm_application_insights.component["app"].id
      severity    = 1
      window      = "PT5M"
      frequency   = "PT5M"
      measure     = "rate_percent"
      threshold   = 1
      query       = "requests | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total > 0 | extend rate_percent = 100.0 * failed / total"
    }
    storage_upload_failure_rate = {
      description = "Blob upload failure rate above 5 % (seed 001, critical)"
      scope       = azurerm_log_analytics_workspace.main.id
      severity    = 1
      window      = "PT15M"
      frequency   = "PT5M"
      measure     = "rate_percent"
      threshold   = 5
      query       = "StorageBlobLogs | where OperationName in (${local.upload_operations}) | summarize total = count(), failed = countif(toint(StatusCode) >= 500 or toint(StatusCode) in (401, 403, 408)) | where total > 0 | extend rate_percent = 100.0 * failed / total"
    }
    storage_upload_duration = {
      description = "Average blob upload time above 5 s (seed 001, warning)"
      scope       = azurerm_log_analytics_workspace.main.id
      severity    = 2
      window      = "PT15M"
      frequency   = "PT5M"
      measure     = "avg_ms"
      threshold   = 5000
      query       = "StorageBlobLogs | where OperationName in (${local.upload_operations}) | summarize avg_ms = avg(DurationMs)"
    }
    circuit_breaker_open = {
      description = "A circuit breaker is open: a dependency is failing fast (seed 001, critical)"
      scope       = azurerm_log_analytics_workspace.main.id
      severity    = 1
      window      = "PT5M"
      frequency   = "PT5M"
      measure     = "hits"
      threshold   = 0
      # BreakerOpenError's message ends "(circuit open)"; the API logs every 5xx with its error.
      query = "AppServiceConsoleLogs | where ResultDescription has \"circuit open\" | summarize hits = count()"
    }
    llm_daily_cost = {
      description = "LLM spend over the last 24 h above the daily threshold (seed: LLM budget exceeded, Sev 2)"
      scope       = azurerm_log_analytics_workspace.main.id
      severity    = 2
      window      = "P1D"
      frequency   = "PT1H"
      measure     = "cost_usd"
      threshold   = var.llm_daily_cost_threshold_usd
      query       = local.llm_cost_query
    }
    secret_near_expiry = {
      description = "A Key Vault secret is near expiry or expired (rotation section)"
      scope       = azurerm_log_analytics_workspace.main.id
      severity    = 2
      window      = "P1D"
      frequency   = "PT1H"
      measure     = "hits"
      threshold   = 0
      # Key Vault logs each Event Grid notification it publishes under these exact operation
      # names ("Azure Key Vault logging", operationName table); `has` would need whole terms.
      query = "AZKVAuditLogs | where OperationName in (\"SecretNearExpiryEventGridNotification\", \"SecretExpiredEventGridNotification\") | summarize hits = count()"
    }
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "log" {
  for_each             = var.alerts_enabled ? local.log_alerts : {}
  name                 = "alert-${local.name}-${replace(each.key, "_", "-")}"
  location             = azurerm_resource_group.main.location
  resource_group_name  = azurerm_resource_group.main.name
  scopes               = [each.value.scope]
  description          = each.value.description
  severity             = each.value.severity
  window_duration      = each.value.window
  evaluation_frequency = each.value.frequency
  # Tables such as AZKVAuditLogs exist only once data has arrived; validating the query at
  # creation would fail on a fresh workspace.
  skip_query_validation = true
  tags                  = local.tags

  criteria {
    query                   = each.value.query
    metric_measure_column   = each.value.measure
    time_aggregation_method = "Maximum"
    operator                = "GreaterThan"
    threshold               = each.value.threshold

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.main.id]
  }
}
