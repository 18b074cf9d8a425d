export {
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  parseIdx,
  readFashionMnist,
  type FashionMnistSplit,
  type FashionMnistSplitData,
} from './fashion-mnist.js';
