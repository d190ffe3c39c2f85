"""Pure numpy engine for KPI formulas, trees and forecasts; knows nothing of Django."""
