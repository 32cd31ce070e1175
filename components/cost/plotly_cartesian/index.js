// plotly.js 3.1.0, cartesian partial bundle (npm: plotly.js-cartesian-dist-min): bar, scatter,
// heatmap and the other 2-D traces, 1.3 MB instead of the 4.6 MB full bundle. It sets
// window.Plotly as it loads.
import "./plotly-cartesian.min.js";

export const Plotly = window.Plotly;
