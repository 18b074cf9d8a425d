export { plugin } from './plugin.js';
export { plugin as default } from './plugin.js';

// AR-Net
export { arnetConfigSchema, arnetTrainConfigSchema, parseArnetConfig, parseArnetTrainConfig, lambdaMax, type ArnetConfig, type ArnetConfigInput, type ArnetTrainConfig, type ArnetTrainConfigInput } from './arnet/config.js';
export { ArnetModel } from './arnet/model.js';
export { arnetLoss, type ArnetLossName } from './arnet/loss.js';
export { sparsityRegulariser, SparsityRamp, type BatchPosition } from './arnet/sparsity.js';
export { FastaiAdam, type FastaiAdamOptions } from './arnet/fastai-adam.js';
export { trainArnet, arnetGradients, evaluateLoss, type ArnetStepRecord, type ArnetTrainOptions, type ArnetTrainResult } from './arnet/train.js';
export { ArnetForecaster } from './arnet/forecaster.js';
export { fitArnet, residualSigma, type FitArnetOptions } from './arnet/fit.js';

// SpaceTime
export { spacetimeConfigSchema, spacetimeTrainConfigSchema, parseSpacetimeConfig, type SpacetimeConfig, type SpacetimeTrainConfig, type SpacetimeTrainConfigInput } from './spacetime/config.js';
export { defaultSpacetimeConfig, type SpacetimeSizes } from './spacetime/default-config.js';
export { companionMatrix, normRows, krylov, matrixPower, companionKrylovClosedForm } from './spacetime/companion.js';
export { causalConv, fitLength } from './spacetime/fft-conv.js';
export { pascalRows, DifferencingSsm, MovingAvgResidualSsm, ResidualSsm } from './spacetime/preprocess.js';
export { CompanionSsm } from './spacetime/companion-ssm.js';
export { ClosedLoopCompanionSsm } from './spacetime/closed-loop-ssm.js';
export { SpacetimeMlp } from './spacetime/mlp.js';
export { SpacetimeModel, type SpacetimeOutput } from './spacetime/model.js';
export { fitTransform, invertTransform, type DataTransform, type FittedTransform } from './spacetime/transforms.js';
export { criterion, spacetimeLoss } from './spacetime/loss.js';
export { trainSpacetime, spacetimeGradients, closedLoopLoss, type SpacetimeEpochRecord } from './spacetime/train.js';
export { SpacetimeForecaster } from './spacetime/forecaster.js';
export { fitSpacetime, forecastErrors, type FitSpacetimeOptions } from './spacetime/fit.js';

// Data, metrics, baselines
export { readCsvSeries, readJsonSeries, readTableSeries, type TableSeriesOptions } from './data/csv.js';
export { VEGA_DATASETS, readVegaDataset, vegaDatasetFile, vegaDatasetsDir, type VegaDataset, type VegaDatasetName } from './data/vega-datasets.js';
export { seriesFromValues, sliceSeries, assertObserved, missingCount, type Series } from './data/series.js';
export { fitScaler, normaliseValues, denormaliseValues, normaliseSeries, type Scaler } from './data/normalise.js';
export { splitByTime, type Range, type TimeSplit, type TimeSplitOptions } from './data/split.js';
export { slidingWindows, observedWindows, alignedWindows, splitWindowsByFraction, estimateNoise, type Windows, type SequenceWindows } from './data/windows.js';
export { mae, rmse, mase, maseScale, smape } from './metrics/point-metrics.js';
export { crpsFromSamples, meanCrps, quantile } from './metrics/crps.js';
export { naiveForecast, seasonalNaiveForecast } from './baselines/naive.js';
export { fitLeastSquaresAr, arForecast, arSamplePaths, type ArModel } from './baselines/least-squares-ar.js';

// Forecasting
export { summarisePaths, DEFAULT_QUANTILES, type Forecaster, type ForecastSummary } from './forecast/forecaster.js';
export { saveForecaster, loadForecaster, forecastCheckpointSchema, type ForecastCheckpoint, type ForecastHistory } from './forecast/checkpoint.js';
export { generateForecast, forecastAll, forecastRequestSchema, type ForecastRequest, type ForecastChunk } from './forecast/generate.js';
export { evaluateForecaster, forecastOrigins, type EvaluationOptions, type EvaluationResult } from './forecast/evaluate.js';
export { SeasonalNaiveForecaster, LeastSquaresArForecaster } from './forecast/baseline-forecasters.js';
export { ArnetGenerator, SpacetimeGenerator, type ForecastBatch } from './forecast/forecast-generator.js';
export { forecastFigure, writeForecastFigure, type ForecastFigureData } from './figures/forecast-figure.js';
export { coefficientFigure } from './figures/coefficient-figure.js';
