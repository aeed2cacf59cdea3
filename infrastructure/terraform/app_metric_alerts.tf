# Seed 004's alerts on Azimuth's own metrics (issue 21). The app's Prometheus metrics reach
# Application Insights as customMetrics through OpenTelemetry (src/platform/telemetry/
# otel-metrics-bridge.ts): a gauge keeps its name and labels (customDimensions), a histogram
# becomes `<name>_p95` (the 95th percentile since the process started, estimated from its
# buckets). Every process exports its own series, so each query takes the worst process in the
# window: a pool or a worker is per process, and one exhausted pool is an incident.

locals {
  app_metric_alerts = {
    llm_latency_p95 = {
      description = "LLM call latency P95 above 10 s (seed 004)"
      severity    = 2
      measure     = "p95_seconds"
      threshold   = 10
      query       = "customMetrics | where name == \"azimuth_llm_call_duration_seconds_p95\" | summarize p95_seconds = max(value)"
    }
    ws_connections = {
      description = "WebSocket connections above 80 % of one worker's capacity (seed 004)"
      severity    = 2
      measure     = "percent_of_capacity"
      threshold   = 80
      query       = "customMetrics | where name == \"azimuth_ws_connections\" | summarize connections = max(value) | extend percent_of_capacity = 100.0 * connections / ${var.ws_connections_per_worker}"
    }
    db_pool_80 = {
      description = "Database pool connections above 80 % of DATABASE_POOL_SIZE (seed 004)"
      severity    = 2
      measure     = "percent_of_pool"
      threshold   = 80
      query       = local.db_pool_query
    }
    db_pool_90 = {
      description = "Database connection exhaustion: pool above 90 % of DATABASE_POOL_SIZE (seed 004, Sev 1)"
      severity    = 1
      measure     = "percent_of_pool"
      threshold   = 90
      query       = local.db_pool_query
    }
  }

  db_pool_query = "customMetrics | where name == \"azimuth_db_pool_connections\" and tostring(customDimensions.state) == \"total\" | summarize connections = max(value) | extend percent_of_pool = 100.0 * connections / ${var.database_pool_size}"
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "app_metric" {
  for_each             = var.alerts_enabled ? local.app_metric_alerts : {}
  name                 = "alert-${local.name}-${replace(each.key, "_", "-")}"
  location             = azurerm_resource_group.main.location
  resource_group_name  = azurerm_resource_group.main.name
  scopes               = [azurerm_application_insights.component["app"].id]
  description          = each.value.description
  severity             = each.value.severity
  window_duration      = "PT5M"
  evaluation_frequency = "PT5M"
  # customMetrics rows exist only once the app has exported them.
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
